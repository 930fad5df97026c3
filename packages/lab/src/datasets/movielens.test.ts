import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { loadMovieLens100k, MOVIELENS_GENRE_COUNT } from './movielens.js';

// The datasets live beside the repository (../shared/datasets from its root), never inside it.
const REAL = fileURLToPath(new URL('../../../../../shared/datasets/ml-100k', import.meta.url));

function itemLine(id: number, title: string, genres: readonly number[]): string {
  const flags = Array.from({ length: MOVIELENS_GENRE_COUNT }, (_, genre) =>
    genres.includes(genre) ? '1' : '0',
  );
  return [String(id), title, '01-Jan-1995', '', 'http://example.org', ...flags].join('|');
}

async function fixture(t: Test, ratings: string, items: Buffer | string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ml100k-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'u.data'), ratings);
  await writeFile(join(dir, 'u.item'), items);
  return dir;
}

const ITEMS = [
  itemLine(1, 'Toy Story (1995)', [3, 4, 5]),
  itemLine(2, 'GoldenEye (1995)', [1]),
  itemLine(3, 'Café', []),
]
  .join('\n')
  .concat('\n');

t.test('sequences sorted by time (ties in file order), times in ms, genres as attributes', async (t) => {
  const dir = await fixture(
    t,
    ['7\t2\t5\t300', '7\t1\t3\t100', '5\t3\t1\t200', '7\t3\t4\t300', ''].join('\n'),
    Buffer.from(ITEMS, 'latin1'),
  );
  const dataset = await loadMovieLens100k(dir);
  t.equal(dataset.name, 'ml-100k');
  t.same(dataset.userIds, ['5', '7']);
  t.same(dataset.itemIds, ['1', '2', '3']);
  t.equal(dataset.numItems, 3, 'the catalog is u.item');
  t.same(
    dataset.sequences.map((s) => ({ user: s.user, items: [...s.items], times: [...(s.times ?? [])] })),
    [
      { user: 0, items: [2], times: [200_000] },
      { user: 1, items: [0, 1, 2], times: [100_000, 300_000, 300_000] },
    ],
  );
  t.equal(dataset.numAttributes, MOVIELENS_GENRE_COUNT);
  t.same(
    dataset.itemAttributes?.map((a) => [...a]),
    [[3, 4, 5], [1], []],
  );
});

t.test('bad rows fail with the file, the line and the problem', async (t) => {
  await t.rejects(loadMovieLens100k(await fixture(t, '1\t9\t5\t100\n', ITEMS)), {
    message: /u\.data:1: item 9 is not in u\.item/,
  });
  await t.rejects(loadMovieLens100k(await fixture(t, '1\t1\t5\n', ITEMS)), {
    message: /u\.data:1: expected tab-separated/,
  });
  await t.rejects(loadMovieLens100k(await fixture(t, '1\t1\t6\t100\n', ITEMS)), {
    message: /rating '6' is not 1\.\.5/,
  });
  await t.rejects(loadMovieLens100k(await fixture(t, '1\t1\t5\tsoon\n', ITEMS)), {
    message: /'soon' is not a unix time/,
  });
  await t.rejects(loadMovieLens100k(await fixture(t, '1\t1\t5\t100\n', '1|x|y\n')), {
    message: /u\.item:1: expected 24/,
  });
  await t.rejects(loadMovieLens100k(await fixture(t, '', ITEMS)), { message: /no ratings/ });
  await t.rejects(loadMovieLens100k(join(tmpdir(), 'no-such-ml-dir')), {
    message: /u\.(data|item).*no such file/,
  });
});

t.test('the real MovieLens 100K has the published size, Latin-1 titles intact', async (t) => {
  const dataset = await loadMovieLens100k(REAL);
  t.equal(dataset.numUsers, 943);
  t.equal(dataset.numItems, 1682);
  t.equal(
    dataset.sequences.reduce((sum, s) => sum + s.items.length, 0),
    100_000,
  );
  t.ok(Math.min(...dataset.sequences.map((s) => s.items.length)) >= 20, 'every user rated 20+ movies');
  for (const sequence of dataset.sequences) {
    const times = sequence.times ?? new Float64Array();
    for (let i = 1; i < times.length; i += 1)
      if ((times[i] ?? 0) < (times[i - 1] ?? 0)) t.fail(`user ${sequence.user} not in time order`);
  }
  t.same([...(dataset.itemAttributes?.[0] ?? [])], [3, 4, 5], 'Toy Story: Animation, Children, Comedy');
});
