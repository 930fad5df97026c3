import t from 'tap';
import { blend, type SourceWeights } from './blend.js';
import type { Candidate } from './types.js';

const weights: SourceWeights = {
  covisit_recent: 1,
  covisit_context: 1,
  category_affinity: 0.5,
  category_context: 0.5,
  bought_together: 1,
  trending: 0.25,
  popular: 0.1,
  pinned: 0,
  sequence_ann: 0.8,
  new_arrival: 0,
};

const popular = (itemId: string, score: number): Candidate => ({
  itemId,
  source: 'popular',
  score,
  reason: { code: 'popular_now' },
});
const viewed = (itemId: string, score: number, anchorItemId = 'seen'): Candidate => ({
  itemId,
  source: 'covisit_recent',
  score,
  reason: { code: 'because_you_viewed', anchorItemId },
});

t.test('scores are normalised per source, so scales do not matter', (t) => {
  // Popular counts are in the thousands, co-visitation weights below 1.
  const out = blend(
    [popular('p1', 5000), popular('p2', 2500), viewed('v1', 0.4), viewed('v2', 0.2)],
    weights,
  );
  t.same(
    out.map((c) => [c.itemId, c.score]),
    [
      ['v1', 1],
      ['v2', 0.5],
      ['p1', 0.1],
      ['p2', 0.05],
    ],
  );
  t.end();
});

t.test('an item from several sources adds up and keeps the reason that contributed most', (t) => {
  const out = blend(
    [popular('a', 100), popular('b', 50), viewed('b', 1, 'lipstick'), viewed('c', 0.5)],
    weights,
  );
  t.equal(out[0]?.itemId, 'b');
  t.equal(out[0]?.score, 1 + 0.05);
  t.equal(out[0]?.source, 'covisit_recent');
  t.same(out[0]?.reason, { code: 'because_you_viewed', anchorItemId: 'lipstick' });
  t.equal(out.filter((c) => c.itemId === 'b').length, 1, 'deduplicated');
  t.end();
});

t.test('a source weighted 0 is switched off; ties are broken by item id', (t) => {
  const out = blend([popular('z', 1), popular('a', 1), { ...viewed('x', 1), source: 'pinned' }], weights);
  t.same(
    out.map((c) => c.itemId),
    ['a', 'z'],
  );
  t.same(blend([], weights), []);
  t.same(blend([popular('zero', 0)], weights), [], 'a zero score proposes nothing');
  t.end();
});
