import { join } from 'node:path';
import t from 'tap';
import {
  AMAZON_BEAUTY_FILE,
  ITEM_GAP_MS,
  readAmazonBeauty,
  SYNTHETIC_START_MS,
} from './amazon-beauty.reader.js';
import { assertCleanReplay, checkReplay, sharedDataset } from './replay.test-support.js';

const now = new Date('2025-03-01T12:00:00.000Z');
const file = join(sharedDataset('amazon-beauty'), AMAZON_BEAUTY_FILE);

t.test('Amazon Beauty: every interaction, each user in their original order', async (t) => {
  const dataset = await readAmazonBeauty(file, { now });
  const check = checkReplay(dataset);
  t.equal(dataset.rows, 198_502);
  assertCleanReplay(t, check);
  t.equal(dataset.items.length, 12_101);
  t.equal(new Set(check.events.map((e) => e.event.user_id)).size, 22_363);

  // Beauty.txt lines 1 and 2: "1 1 2 3 4 5" and "2 6 7 8 9 10 4 11"
  const itemsOf = (user: string) =>
    check.events
      .filter((e) => e.event.user_id === user)
      .map((e) => ('item_id' in e.event ? e.event.item_id : ''));
  t.same(itemsOf('ab-1'), ['ab-1', 'ab-2', 'ab-3', 'ab-4', 'ab-5']);
  t.same(itemsOf('ab-2'), ['ab-6', 'ab-7', 'ab-8', 'ab-9', 'ab-10', 'ab-4', 'ab-11']);
  t.equal(check.events[0]?.originalTsMs, SYNTHETIC_START_MS);
  const second = check.events.find((e) => e.event.event_id === 'ab-Beauty-1-2');
  t.equal(second?.originalTsMs, SYNTHETIC_START_MS + ITEM_GAP_MS, 'a user’s items are a day apart');
});

t.test('items get the attribute ids', async (t) => {
  const dataset = await readAmazonBeauty(file, { now, limit: 10 });
  const item = dataset.items.find((i) => i.item_id === 'ab-4');
  t.match(item, {
    title: 'Item 4',
    category_path: ['attr-1', 'attr-2', 'attr-3'],
    attributes: { attribute_ids: ['1', '2', '3'] },
  });
});
