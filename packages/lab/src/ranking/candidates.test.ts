import t from 'tap';
import { PermanentError } from '@recstream/errors';
import { mergeCandidates } from './candidates.js';

t.test('secondary picks are kept and the primary source fills the list', (t) => {
  const primary = Float32Array.of(9, 8, 7, 6, 5, 4, 3, 2);
  const covisit = Float32Array.of(0, 0, 0, 0, 0, 0, 1, 2); // proposes items 7 and 6
  const popular = Float32Array.of(5, 0, 0, 0, 0, 0, 0, 0); // proposes item 0 (already the primary's best)
  const list = mergeCandidates(
    [
      { scores: primary, take: 4 },
      { scores: covisit, take: 2 },
      { scores: popular, take: 1 },
    ],
    4,
  );
  t.same(
    [...list.items].sort(),
    [0, 1, 6, 7],
    'both co-visitation picks survive; the primary fills the rest',
  );
  const rank = new Map(Array.from(list.items, (item, index) => [item, list.ranks[index]]));
  t.equal(rank.get(7), 0, 'best rank over the sources: first for co-visitation');
  t.equal(rank.get(0), 0);
  t.equal(rank.get(1), 1, "the primary's second");
  t.end();
});

t.test('masked items are never candidates', (t) => {
  const masked = Uint8Array.of(1, 0, 1, 0, 0);
  const list = mergeCandidates(
    [
      { scores: Float32Array.of(5, 4, 3, 2, 1), take: 3 },
      { scores: Float32Array.of(1, 0, 9, 0, 0), take: 1 },
    ],
    3,
    masked,
  );
  t.same([...list.items].sort(), [1, 3, 4]);
  t.equal(
    mergeCandidates([{ scores: Float32Array.of(1, 2), take: 5 }], 5, Uint8Array.of(1, 0)).items.length,
    1,
  );
  t.end();
});

t.test('impossible settings fail by name', (t) => {
  const scores = Float32Array.of(1, 2, 3);
  t.throws(() => mergeCandidates([], 3), PermanentError);
  t.throws(() => mergeCandidates([{ scores, take: 3 }], 0), /positive integer/);
  t.throws(
    () =>
      mergeCandidates(
        [
          { scores, take: 1 },
          { scores, take: 2 },
          { scores, take: 2 },
        ],
        3,
      ),
    /take 4 candidates, more than the 3/,
  );
  t.end();
});
