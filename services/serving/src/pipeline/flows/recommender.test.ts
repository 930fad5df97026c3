/**
 * The orchestration without Redis: a feature reader in memory that can be made slow or broken, to
 * check the deadline, the popular fallback, the 503 without one, and that pins and k hold together.
 */
import t from 'tap';
import type { ItemMeta, ItemNeighbours, SubjectFeatures } from '@recstream/features';
import { createLogger } from '@recstream/logger';
import { createMetrics } from '@recstream/metrics';
import { TransientError } from '@recstream/errors';
import type { FeatureReader } from '../feature-reader.js';
import { PopularFallback } from '../fallback.js';
import { createPipelineMetrics } from '../metrics.js';
import { NewArrivals } from '../../catalog/new-arrivals.js';
import { createRecommender } from './recommender.js';
import { blendedScoreRanker } from '../ranker.js';
import { DEFAULT_SETTINGS } from '../settings.js';

const meta = (itemId: string, brand: string, categoryPath: string[]): ItemMeta => ({
  itemId,
  title: `Title ${itemId}`,
  category: categoryPath.join(' > '),
  categoryPath,
  brand,
  price: 10,
  currency: 'EUR',
  availability: 'in_stock',
});
const catalog = new Map(
  [
    meta('p1', 'A', ['Beauty']),
    meta('p2', 'B', ['Beauty']),
    meta('p3', 'C', ['Outdoor']),
    meta('p4', 'D', ['Garden']),
    meta('seen', 'E', ['Outdoor']),
  ].map((m) => [m.itemId, m]),
);
const subject: SubjectFeatures = {
  subject: 'u:1',
  mergedAnonymous: undefined,
  sequence: [{ itemId: 'seen', type: 'view', timeMs: 1 }],
  categoryAffinities: [],
  brandAffinities: [],
  searches: [],
  cart: [],
  purchased: [],
};

type Mode = 'ok' | 'slow' | 'down' | 'bug';
function fakeReader(mode: () => Mode): FeatureReader {
  const act = <T>(value: T): Promise<T> => {
    switch (mode()) {
      case 'ok':
        return Promise.resolve(value);
      case 'slow':
        return new Promise((resolve) => setTimeout(() => resolve(value), 500));
      case 'down':
        return Promise.reject(new Error('connection refused'));
      case 'bug':
        return Promise.reject(new RangeError('k must be an integer'));
    }
  };
  const neighbours = (ids: readonly string[]): ItemNeighbours[] =>
    ids.map((itemId) => ({ itemId, neighbours: itemId === 'seen' ? [{ itemId: 'p3', weight: 2 }] : [] }));
  return {
    subject: () => act(subject),
    trending: () => act([]),
    popular: () =>
      act([
        { itemId: 'p1', score: 40 },
        { itemId: 'p2', score: 30 },
        { itemId: 'p3', score: 20 },
        { itemId: 'p4', score: 10 },
      ]),
    categoryTop: () => act([]),
    covisit: (ids) => act(neighbours(ids)),
    boughtTogether: (ids) => act(ids.map((itemId) => ({ itemId, neighbours: [] }))),
    meta: (ids) =>
      act(new Map(ids.flatMap((id) => (catalog.has(id) ? [[id, catalog.get(id) as ItemMeta]] : [])))),
  };
}

function setup(initial: Mode) {
  let mode: Mode = initial;
  const metrics = createMetrics('serving', { defaultMetrics: false });
  const recommender = createRecommender({
    features: () => fakeReader(() => mode),
    ranker: blendedScoreRanker,
    settings: { ...DEFAULT_SETTINGS, featureTimeoutMs: 30 },
    metrics: createPipelineMetrics(metrics),
    fallback: new PopularFallback(),
    logger: createLogger({ service: 'test', level: 'silent' }),
    clock: () => 1_000_000,
  });
  return { recommender, metrics, setMode: (next: Mode) => void (mode = next) };
}

t.test('the last click leads; a slow store degrades to the last popular list', async (t) => {
  const { recommender, metrics, setMode } = setup('ok');
  const healthy = await recommender.recommend({ subject: { userId: '1' }, k: 3 });
  t.equal(healthy.degraded, false);
  t.equal(healthy.items[0]?.item_id, 'p3');
  t.same(healthy.items[0]?.reason, { code: 'because_you_viewed', text: 'Because you viewed Title seen' });

  setMode('slow');
  const started = Date.now();
  const slow = await recommender.recommend({ subject: { userId: '1' }, k: 3, excludeIds: ['p1'] });
  t.ok(Date.now() - started < 400, 'the deadline, not the store, decides how long a request waits');
  t.equal(slow.degraded, true);
  t.equal(slow.degradedReason, 'feature_store_timeout');
  t.same(
    slow.items.map((i) => [i.item_id, i.source]),
    [
      ['p2', 'popular'],
      ['p3', 'popular'],
      ['p4', 'popular'],
    ],
    'popular items, the request exclusion still applied',
  );

  setMode('down');
  const down = await recommender.similar('p1', 2);
  t.equal(down.degradedReason, 'feature_store_unavailable');
  t.equal(down.items.length, 2);
  t.match(await metrics.registry.metrics(), /rec_serving_degraded_total\{reason="feature_store_timeout"\} 1/);
});

t.test('nothing cached: a transient error (503); a bug is not mistaken for an outage', async (t) => {
  const { recommender, metrics } = setup('down');
  await t.rejects(recommender.recommend({ subject: {}, k: 2 }), TransientError);
  t.match(await metrics.registry.metrics(), /rec_serving_degraded_total\{reason="no_fallback"\} 1/);
  await t.rejects(setup('bug').recommender.recommend({ subject: {}, k: 2 }), RangeError);
});

t.test('pins take the first places without duplicates, and the answer keeps k items', async (t) => {
  const { recommender } = setup('ok');
  const answer = await recommender.recommend({ subject: {}, k: 3, rules: { pin: ['p2', 'nope'] } });
  t.same(
    answer.items.map((i) => i.item_id),
    ['p2', 'p1', 'p3'],
  );
  t.equal(answer.items[0]?.source, 'pinned');
});

t.test('personalised answers give a place to a new item; similar items do not', async (t) => {
  const fresh: ItemMeta = { ...meta('fresh', 'F', ['Beauty', 'Lips']), createdAtMs: 999_000 };
  const recommender = createRecommender({
    features: () => fakeReader(() => 'ok'),
    ranker: blendedScoreRanker,
    settings: DEFAULT_SETTINGS,
    metrics: createPipelineMetrics(createMetrics('serving', { defaultMetrics: false })),
    fallback: new PopularFallback(),
    logger: createLogger({ service: 'test', level: 'silent' }),
    newArrivals: (nowMs) => NewArrivals.build([fresh, ...catalog.values()], nowMs, 86_400_000),
    random: () => 0,
    clock: () => 1_000_000,
  });
  const answer = await recommender.recommend({ subject: { userId: '1' }, k: 4 });
  t.equal(answer.items.length, 4, 'k items');
  t.equal(answer.items[0]?.item_id, 'p3', "the best place stays the ranking's");
  t.equal(answer.items[2]?.item_id, 'fresh', 'the middle place explores');
  t.same(answer.items[2]?.reason, { code: 'new_arrival', text: 'New in Lips' });
  t.equal(answer.items[2]?.source, 'new_arrival');
  const similar = await recommender.similar('p1', 4);
  t.notOk(
    similar.items.some((i) => i.item_id === 'fresh'),
    'an item page shows what goes with the item',
  );
});

t.test('popular: the list as read, with its scores; degrades to the fallback like the others', async (t) => {
  const { recommender, metrics, setMode } = setup('ok');
  const healthy = await recommender.popular(3);
  t.equal(healthy.degraded, false);
  t.equal(healthy.ranker, 'popularity');
  t.same(
    healthy.items.map((i) => [i.item_id, i.score, i.reason.code]),
    [
      ['p1', 40, 'popular_now'],
      ['p2', 30, 'popular_now'],
      ['p3', 20, 'popular_now'],
    ],
    'popularity order and scores, not blended or diversified',
  );

  setMode('slow');
  const slow = await recommender.popular(2);
  t.equal(slow.degraded, true);
  t.equal(slow.degradedReason, 'feature_store_timeout');
  t.same(
    slow.items.map((i) => [i.item_id, i.score]),
    [
      ['p1', 40],
      ['p2', 30],
    ],
  );
  t.match(
    await metrics.registry.metrics(),
    /rec_serving_stage_duration_seconds_count\{stage="read_context"\} [1-9]/,
  );
  await t.rejects(setup('down').recommender.popular(2), TransientError, 'nothing cached: 503');
});
