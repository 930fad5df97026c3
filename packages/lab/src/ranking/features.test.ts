import t from 'tap';
import { PermanentError } from '@recstream/errors';
import {
  featureIndex,
  RANKING_FEATURE_COUNT,
  RANKING_FEATURE_SCHEMA_VERSION,
  RANKING_FEATURES,
  rankingFeatures,
  type CandidateInput,
  type ItemStatsInput,
  type RankingRequest,
  type ShopperInput,
} from './features.js';
import { offlineFeatureSource } from './offline-features.js';

const stats = (overrides: Partial<ItemStatsInput> = {}): ItemStatsInput => ({
  popularity: Math.E - 1,
  shortPopularity: 0,
  trending: Math.E,
  counts: { '7d': { view: 9, add_to_cart: 0, purchase: 1, impression: 50 } },
  ctr: { '24h': 0.04, '7d': 0.02 },
  ctrPrior: { mean: 0.02 },
  ...overrides,
});

const shopper: ShopperInput = {
  sequence: [{ itemId: 'recent' }, { itemId: 'b' }, { itemId: 'old' }, { itemId: 'b' }],
  categoryAffinities: [
    { name: 'beauty > skin', score: 4 },
    { name: 'beauty > hair', score: 1 },
  ],
  brandAffinities: [{ name: 'acme', score: 2 }],
  cart: [{ itemId: 'a' }],
  purchased: [{ itemId: 'c' }],
};

const candidates: CandidateInput[] = [
  {
    itemId: 'a',
    categories: ['beauty', 'beauty > hair'],
    brand: 'acme',
    stats: stats(),
    scores: { sequence: 2, covisitation: 3, retrievalRank: 0 },
  },
  {
    itemId: 'b',
    categories: ['beauty > skin'],
    brand: 'other',
    stats: stats(),
    scores: { sequence: 5, covisitation: 6, retrievalRank: 4 },
  },
  { itemId: 'c', categories: [], scores: {} },
];

const request: RankingRequest = { shopper, context: { pageType: 'product', position: 3 }, candidates };

function row(features: Float32Array, index: number): Record<string, number> {
  const values = features.subarray(index * RANKING_FEATURE_COUNT, (index + 1) * RANKING_FEATURE_COUNT);
  return Object.fromEntries(RANKING_FEATURES.map(({ name }, column) => [name, values[column] ?? NaN]));
}

t.test('the layout is versioned, named once and documented', (t) => {
  t.equal(RANKING_FEATURE_SCHEMA_VERSION, 'r1');
  const names = RANKING_FEATURES.map(({ name }) => name);
  t.equal(new Set(names).size, names.length, 'names are unique');
  t.ok(RANKING_FEATURES.every(({ description }) => description.length > 0));
  t.equal(featureIndex('page_home'), 0);
  t.throws(() => featureIndex('nope'), RangeError);
  t.end();
});

t.test('features of a candidate list', (t) => {
  const features = rankingFeatures(request);
  t.equal(features.length, 3 * RANKING_FEATURE_COUNT);
  t.ok(features.every(Number.isFinite), 'every value is finite');
  const [a, b, c] = [row(features, 0), row(features, 1), row(features, 2)];

  t.equal(a['page_product'], 1);
  t.same([a['page_home'], a['page_cart'], a['page_category'], a['page_search']], [0, 0, 0, 0]);
  t.equal(a['position_log'], Math.fround(Math.log(4)));
  t.equal(a['position_missing'], 0);

  t.equal(a['popularity_log'], 1, 'ln(1 + (e − 1))');
  t.equal(a['trending_log'], 1, 'ln(e)');
  t.equal(a['views_7d_log'], Math.fround(Math.log(10)));
  t.equal(a['ctr_24h_lift'], Math.fround(Math.log(2)), 'twice the shop CTR');
  t.equal(a['ctr_7d_lift'], 0, 'the shop CTR');
  t.equal(a['impressions_7d_missing'], 0);
  t.equal(a['stats_missing'], 0);

  t.equal(a['category_affinity'], 0.25, 'hair (1) over the top category (4)');
  t.equal(b['category_affinity'], 1, 'the top category');
  t.equal(a['brand_affinity'], 1);
  t.equal(b['brand_affinity'], 0, 'a brand the shopper has no affinity to');
  t.equal(b['brand_affinity_missing'], 0);
  t.equal(c['brand_affinity_missing'], 1, 'no brand on the item');

  t.equal(a['in_cart'], 1);
  t.equal(c['purchased'], 1);
  t.equal(b['in_sequence'], 1);
  t.equal(b['sequence_recency'], 0.5, 'last seen one step back');
  t.equal(a['in_sequence'], 0);
  t.equal(a['history_length_log'], Math.fround(Math.log(5)));

  t.equal(b['sequence_score_gap'], 0, 'the best sequence score');
  t.equal(a['sequence_score_gap'], -3);
  t.equal(b['sequence_rank_log'], 0);
  t.equal(a['sequence_rank_log'], Math.fround(Math.log(2)));
  t.equal(a['covisit_share'], 0.5);
  t.equal(b['covisit_log'], Math.fround(Math.log(7)));
  t.equal(b['retrieval_rank_log'], Math.fround(Math.log(5)));
  t.end();
});

t.test('missing inputs give neutral values and explicit indicators', (t) => {
  const features = rankingFeatures({
    shopper: { sequence: [], categoryAffinities: [], brandAffinities: [], cart: [], purchased: [] },
    context: { pageType: 'other' },
    candidates: [candidates[2] as CandidateInput],
  });
  const c = row(features, 0);
  for (const name of [
    'position_missing',
    'stats_missing',
    'category_affinity_missing',
    'brand_affinity_missing',
    'sequence_missing',
    'covisit_missing',
    'retrieval_rank_missing',
  ])
    t.equal(c[name], 1, name);
  const indicators = new Set(
    RANKING_FEATURES.filter(({ name }) => name.endsWith('_missing')).map(({ name }) => name),
  );
  for (const [name, value] of Object.entries(c)) if (!indicators.has(name)) t.equal(value, 0, `${name} is 0`);

  t.equal(rankingFeatures({ ...request, candidates: [] }).length, 0, 'an empty list has no rows');
  t.end();
});

t.test('an item never shown has its CTR at the prior and says so', (t) => {
  const unseen = stats({
    counts: { '7d': { view: 0, add_to_cart: 0, purchase: 0, impression: 0 } },
    ctr: { '24h': 0.02, '7d': 0.02 },
  });
  const c = row(
    rankingFeatures({ ...request, candidates: [{ itemId: 'z', categories: [], stats: unseen, scores: {} }] }),
    0,
  );
  t.equal(c['impressions_7d_missing'], 1);
  t.equal(c['ctr_7d_lift'], 0);
  t.end();
});

t.test('bad inputs fail with the item named', (t) => {
  const broken = (candidate: Partial<CandidateInput>): RankingRequest => ({
    ...request,
    candidates: [{ itemId: 'x', categories: [], scores: {}, ...candidate }],
  });
  t.throws(() => rankingFeatures(broken({ scores: { sequence: Number.NaN } })), /sequence score of item x/);
  t.throws(() => rankingFeatures(broken({ scores: { covisitation: -1 } })), /co-visitation score of item x/);
  t.throws(() => rankingFeatures(broken({ scores: { retrievalRank: 1.5 } })), /retrieval rank of item x/);
  t.throws(() => rankingFeatures(broken({ stats: stats({ popularity: -2 }) })), /popularity of item x/);
  t.throws(
    () => rankingFeatures({ ...request, context: { pageType: 'checkout' as 'other' } }),
    /page type checkout/,
  );
  t.throws(
    () => rankingFeatures({ ...request, context: { pageType: 'home', position: -1 } }),
    PermanentError,
  );
  t.throws(
    () =>
      rankingFeatures({
        ...request,
        shopper: { ...shopper, brandAffinities: [{ name: 'acme', score: Infinity }] },
      }),
    /affinity acme/,
  );
  t.end();
});

t.test('offline features come from the given history and training counts only', (t) => {
  const source = offlineFeatureSource(Float64Array.of(5, 0, 2), [
    Int32Array.of(0),
    Int32Array.of(0, 1),
    Int32Array.of(1),
  ]);
  t.equal(source.items[0]?.stats.popularity, 5);
  t.same(source.items[1]?.categories, ['a0', 'a1']);
  const features = source.shopper({ user: 0, history: Int32Array.of(2, 0) });
  t.same(
    features.sequence.map(({ itemId }) => itemId),
    ['0', '2'],
    'newest first',
  );
  t.same(features.categoryAffinities, [
    { name: 'a0', score: 1 },
    { name: 'a1', score: 0.9 },
  ]);
  t.same(features.brandAffinities, [], 'the dataset does not say which attribute is the brand');
  t.throws(() => source.shopper({ user: 0, history: Int32Array.of(3) }), /outside 0..2/);
  t.end();
});
