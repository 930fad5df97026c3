import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { PermanentError } from '@recstream/errors';
import { loadAmazonBeauty } from './amazon-beauty.js';

// The datasets live beside the repository (../shared/datasets from its root), never inside it.
const REAL = fileURLToPath(new URL('../../../../../shared/datasets/amazon-beauty', import.meta.url));

async function fixture(t: Test, interactions: string, attributes: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'beauty-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'Beauty.txt'), interactions);
  await writeFile(join(dir, 'Beauty_item2attributes.json'), attributes);
  return dir;
}

t.test('reads sequences in order and maps items and attributes to dense indices', async (t) => {
  const dir = await fixture(
    t,
    '2 10 3 10\n1 3 5\n',
    JSON.stringify({ '3': [7, 2], '5': [2], '10': [9, 9], '99': [1] }),
  );
  const dataset = await loadAmazonBeauty(dir);
  t.equal(dataset.name, 'amazon-beauty');
  t.same(dataset.userIds, ['1', '2']);
  t.same(dataset.itemIds, ['3', '5', '10'], 'numeric order; item 99 has no interactions');
  t.equal(dataset.numItems, 3);
  t.equal(dataset.numUsers, 2);
  t.same(
    dataset.sequences.map((s) => ({ user: s.user, items: [...s.items], times: s.times })),
    [
      { user: 0, items: [0, 1], times: undefined },
      { user: 1, items: [2, 0, 2], times: undefined },
    ],
    'file order kept within a user, repeats kept',
  );
  // Attributes of catalog items only (2, 7, 9) → 0, 1, 2; sorted and de-duplicated per item.
  t.equal(dataset.numAttributes, 3);
  t.same(
    dataset.itemAttributes?.map((a) => [...a]),
    [[0, 1], [0], [2]],
  );
});

t.test('bad files fail with the file, the line and the problem', async (t) => {
  const attributes = '{}';
  await t.rejects(loadAmazonBeauty(await fixture(t, '1 2\n1 3\n', attributes)), {
    message: /Beauty\.txt:2: user 1 appears on more than one line/,
  });
  await t.rejects(loadAmazonBeauty(await fixture(t, '1 2\n2 x\n', attributes)), {
    message: /Beauty\.txt:2: 'x' is not a numeric id/,
  });
  await t.rejects(loadAmazonBeauty(await fixture(t, '1\n', attributes)), {
    message: /:1: expected `user item/,
  });
  await t.rejects(loadAmazonBeauty(await fixture(t, '', attributes)), { message: /no interactions/ });
  await t.rejects(loadAmazonBeauty(await fixture(t, '1 2\n', '{"2": "a"}')), {
    message: /attributes of item 2 are not a list/,
  });
  await t.rejects(loadAmazonBeauty(await fixture(t, '1 2\n', '[')), { message: /not valid JSON/ });
  await t.rejects(loadAmazonBeauty(join(tmpdir(), 'no-such-beauty-dir')), PermanentError);
  await t.rejects(loadAmazonBeauty(join(tmpdir(), 'no-such-beauty-dir')), {
    message: /Beauty.*no such file/,
  });
});

t.test('the real Beauty files have the published size', async (t) => {
  const dataset = await loadAmazonBeauty(REAL);
  t.equal(dataset.numUsers, 22_363);
  t.equal(dataset.numItems, 12_101);
  t.equal(
    dataset.sequences.reduce((sum, s) => sum + s.items.length, 0),
    198_502,
  );
  t.ok(Math.min(...dataset.sequences.map((s) => s.items.length)) >= 5, '5-core: every user has 5+ items');
  t.ok(
    dataset.itemAttributes?.every((a) => a.length > 0),
    'every item has attributes',
  );
  t.ok((dataset.numAttributes ?? 0) > 0);
});
