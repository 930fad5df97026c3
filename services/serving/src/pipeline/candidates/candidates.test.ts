import t from 'tap';
import { boughtTogetherCandidates } from './bought-together.js';
import { affinityCategories, categoryCandidates } from './category-top.js';
import { covisitRecentCandidates, recentAnchors, RECENT_DECAY } from './covisit.js';
import { trendingCandidates } from './trending.js';

t.test('recent anchors: distinct items of interest, newest first, decaying weight', (t) => {
  const anchors = recentAnchors(
    [
      { itemId: 'c', type: 'view', timeMs: 5 },
      { itemId: 'x', type: 'impression', timeMs: 4 },
      { itemId: 'c', type: 'click', timeMs: 3 },
      { itemId: 'b', type: 'add_to_cart', timeMs: 2 },
      { itemId: 'a', type: 'view', timeMs: 1 },
    ],
    2,
  );
  t.same(anchors, [
    { itemId: 'c', weight: 1 },
    { itemId: 'b', weight: RECENT_DECAY },
  ]);
  t.end();
});

t.test('co-visitation: the latest item speaks loudest, reasons name the strongest anchor', (t) => {
  const out = covisitRecentCandidates(
    [
      {
        itemId: 'new',
        neighbours: [
          { itemId: 'n1', weight: 4 },
          { itemId: 'both', weight: 2 },
        ],
      },
      {
        itemId: 'old',
        neighbours: [
          { itemId: 'both', weight: 10 },
          { itemId: 'o1', weight: 5 },
        ],
      },
    ],
    [
      { itemId: 'new', weight: 1 },
      { itemId: 'old', weight: 0.5 },
    ],
  );
  const byId = new Map(out.map((c) => [c.itemId, c]));
  t.equal(byId.get('n1')?.score, 1);
  t.equal(byId.get('o1')?.score, 0.25);
  t.equal(byId.get('both')?.score, 0.5 + 0.5, 'reached from both anchors: summed');
  t.same(
    byId.get('both')?.reason,
    { code: 'because_you_viewed', anchorItemId: 'new' },
    'tie: first anchor kept',
  );
  t.equal(byId.get('n1')?.source, 'covisit_recent');
  t.end();
});

t.test('bought together and categories', (t) => {
  const bought = boughtTogetherCandidates([{ itemId: 'tent', neighbours: [{ itemId: 'pegs', weight: 3 }] }]);
  t.same(bought, [
    {
      itemId: 'pegs',
      source: 'bought_together',
      score: 1,
      reason: { code: 'bought_together', anchorItemId: 'tent' },
    },
  ]);
  const categories = affinityCategories(
    [
      { name: 'Beauty > Lips', score: 8 },
      { name: 'Outdoor', score: 2 },
      { name: 'Garden', score: 1 },
    ],
    2,
  );
  t.same(categories, [
    { category: 'Beauty > Lips', weight: 1 },
    { category: 'Outdoor', weight: 0.25 },
  ]);
  const out = categoryCandidates(
    [
      {
        category: categories[1] ?? { category: '', weight: 0 },
        items: [
          { itemId: 't', score: 40 },
          { itemId: 's', score: 20 },
        ],
      },
    ],
    'category_affinity',
  );
  t.same(
    out.map((c) => [c.itemId, c.score]),
    [
      ['t', 0.25],
      ['s', 0.125],
    ],
  );
  t.end();
});

t.test('trending proposes only rising items', (t) => {
  const out = trendingCandidates([
    { itemId: 'up', score: 3, shortCount: 30, longCount: 10 },
    { itemId: 'flat', score: 1, shortCount: 1, longCount: 24 },
    { itemId: 'down', score: 0.5, shortCount: 1, longCount: 50 },
  ]);
  t.same(
    out.map((c) => [c.itemId, c.score]),
    [['up', 2]],
  );
  t.end();
});
