import { join } from 'node:path';
import t from 'tap';
import { DatasetFormatError, DatasetMissingError } from './replay.dataset.js';
import { assertCleanReplay, checkReplay, sharedDataset } from './replay.test-support.js';
import { readYoochoose, YOOCHOOSE_DEFAULT_FILE } from './yoochoose.reader.js';

const now = new Date('2025-03-01T12:00:00.000Z');
const folder = sharedDataset('yoochoose-100k');

t.test('train_full: every click, in time order, as valid anonymous views', async (t) => {
  const dataset = await readYoochoose(join(folder, YOOCHOOSE_DEFAULT_FILE), { now });
  const check = checkReplay(dataset);
  t.equal(dataset.rows, 70_278, 'all 70,278 clicks (the file has 70,279 lines with the header)');
  t.equal(check.events.length, 70_278);
  assertCleanReplay(t, check);
  t.equal(dataset.items.length, 2_933);
  t.equal(new Set(check.events.map((e) => e.event.session_id)).size, 17_794, 'sessions');

  const first = check.events[0];
  t.match(first?.event, {
    event_id: 'yc-yoochoose-clicks-100k_train_full-12528',
    type: 'view',
    anonymous_id: 'yc-5182',
    session_id: 'yc-5182',
    item_id: 'yc-214821026',
    properties: { dataset: 'yoochoose', original_ts: '2014-04-01T01:02:21.719Z' },
  });
  t.equal(first?.event.timestamp, undefined, 'the live timestamp is set when sent');
  t.match(dataset.items[0], {
    title: /^Item \d+$/,
    price: 0,
    currency: 'USD',
    availability: 'in_stock',
    category_path: [],
  });
});

t.test('a limit keeps the earliest clicks and only the items they reference', async (t) => {
  const dataset = await readYoochoose(join(folder, YOOCHOOSE_DEFAULT_FILE), { now, limit: 1000 });
  const check = checkReplay(dataset);
  t.equal(check.events.length, 1000);
  t.equal(check.itemsMissing, 0);
  t.equal(
    dataset.items.length,
    new Set(check.events.map((e) => ('item_id' in e.event ? e.event.item_id : ''))).size,
  );
  const again = await readYoochoose(join(folder, YOOCHOOSE_DEFAULT_FILE), { now, limit: 1000 });
  t.same(
    [...again.events()].map((e) => e.event.event_id),
    check.events.map((e) => e.event.event_id),
    'ids are stable across runs',
  );
});

t.test('another split gets its own event ids', async (t) => {
  const dataset = await readYoochoose(join(folder, 'yoochoose-clicks-100k_test.txt'), { now });
  t.equal(dataset.rows, 13_568);
  t.match([...dataset.events()][0]?.event.event_id, /^yc-yoochoose-clicks-100k_test-\d+$/);
});

t.test('a missing file or a malformed row is an error that says where', async (t) => {
  await t.rejects(readYoochoose('/nonexistent/yoochoose.txt', { now }), DatasetMissingError);
  await t.rejects(readYoochoose('/nonexistent/yoochoose.txt', { now }), { message: /--path/ });
  const dir = t.testdir({
    'bad.txt': 'SessionId\tItemId\tTime\n1\t2\t1396437466.9\n1\tnot-an-item\t1396437467\n',
  });
  await t.rejects(readYoochoose(join(dir, 'bad.txt'), { now }), DatasetFormatError);
  await t.rejects(readYoochoose(join(dir, 'bad.txt'), { now }), { message: /bad\.txt:3: ItemId/ });
});
