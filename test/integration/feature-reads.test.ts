/**
 * The typed read API of the online features against the real local Redis, with every feature
 * written by the real writer (the feature service's event compiler and apply-once store): login
 * merge and alias, sequences and lists, affinities, windowed counts with the pro-rata oldest
 * bucket, CTR with its prior, trending, category tops, co-visitation and bought-together.
 */
import t, { type Test } from 'tap';
import {
  AFFINITY_TAU_MS,
  CTR_PRIOR_STRENGTH,
  NEIGHBOURS_SERVED_MAX,
  POPULARITY_TAU_MS,
  SHORT_POPULARITY_TAU_MS,
  readBoughtTogether,
  readCategoryTop,
  readCovisitNeighbours,
  readItemMeta,
  readItemStats,
  readSubjectFeatures,
  readTopPopular,
  readTrending,
  trendingScore,
} from '@recstream/features';
import type { CatalogItem, EnrichedEvent } from '@recstream/schemas';
import { connectTestRedis, testNamespace } from '@recstream/testing';
import { createEventFactory, createFeatureWriter } from '../support/shop-events.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** Reads happen at this time (a quarter past: not aligned with any bucket). */
const NOW = Date.UTC(2026, 4, 1, 12, 15);

const catalog: CatalogItem[] = [
  ['lip-1', ['Beauty', 'Makeup', 'Lips'], 'Acme'],
  ['lip-2', ['Beauty', 'Makeup', 'Lips'], 'Bloom'],
  ['eye-1', ['Beauty', 'Makeup', 'Eyes'], 'Acme'],
  ['tent-1', ['Outdoor', 'Camping', 'Tents', 'Dome'], 'Trail'],
  ['stove-1', ['Outdoor', 'Camping', 'Stoves'], 'Trail'],
  ['lamp-1', ['Outdoor', 'Camping', 'Lamps'], 'Glow'],
  // The orders of the neighbours test: items get features only when the catalog knows them.
  ['hub', [], ''],
  ...[1, 2, 3].flatMap((order) => Array.from({ length: 19 }, (_, i) => [`sku-${order}-${i}`, [], ''])),
].map(([item_id, category_path, brand]) => ({
  item_id: item_id as string,
  title: `Title ${item_id as string}`,
  category_path: category_path as string[],
  brand: brand as string,
  price: 10,
  currency: 'EUR',
  availability: 'in_stock',
  updated_at: new Date(NOW - 30 * 24 * HOUR).toISOString(),
}));

const event = createEventFactory();

/** A fresh namespace, a Redis client, and `write` that applies events through the real writer. */
async function setup(t: Test, label: string) {
  const ns = testNamespace(label);
  const redis = await connectTestRedis(ns, (cleanUp) => t.teardown(cleanUp));
  const prefix = ns.redisPrefix;
  const writeEvents = await createFeatureWriter(redis, prefix, catalog);
  const write = async (...events: EnrichedEvent[]) => {
    t.equal(await writeEvents(events), events.length, 'the writer applied every event');
  };
  return { redis, prefix, write };
}

const decayed = (weights: readonly [number, number][], tauMs: number) =>
  weights.reduce((sum, [weight, atMs]) => sum + weight * Math.exp(-(NOW - atMs) / tauMs), 0);
const near = (actual: number | undefined, expected: number, relative = 1e-9) =>
  actual !== undefined && Math.abs(actual - expected) <= relative * Math.max(1, Math.abs(expected));

t.test('subject features: lists, affinities, and the login merge', async (t) => {
  const { redis, prefix, write } = await setup(t, 'featreads-subject');
  const device = { anon: 'dev-1', session: 'sess-1' };
  await write(
    event(NOW - 30 * MINUTE, device, { type: 'view', item_id: 'lip-1' }),
    event(NOW - 20 * MINUTE, device, { type: 'view', item_id: 'eye-1' }),
    event(NOW - 15 * MINUTE, device, { type: 'add_to_cart', item_id: 'lip-1' }),
    event(NOW - 14 * MINUTE, device, { type: 'search', query: 'red lipstick' }),
  );

  const anonymous = await readSubjectFeatures(redis, prefix, { anonymousId: 'dev-1' }, { nowMs: NOW });
  t.equal(anonymous.subject, 'a:dev-1');
  t.same(anonymous.sequence, [
    { itemId: 'lip-1', type: 'add_to_cart', timeMs: NOW - 15 * MINUTE },
    { itemId: 'eye-1', type: 'view', timeMs: NOW - 20 * MINUTE },
    { itemId: 'lip-1', type: 'view', timeMs: NOW - 30 * MINUTE },
  ]);
  t.same(anonymous.cart, [{ itemId: 'lip-1', timeMs: NOW - 15 * MINUTE }]);
  t.same(anonymous.searches, [{ query: 'red lipstick', timeMs: NOW - 14 * MINUTE }]);
  t.same(
    anonymous.categoryAffinities.map((a) => a.name),
    ['Beauty > Makeup > Lips', 'Beauty > Makeup > Eyes'],
  );
  t.ok(
    near(
      anonymous.categoryAffinities[0]?.score,
      decayed(
        [
          [1, NOW - 30 * MINUTE],
          [3, NOW - 15 * MINUTE],
        ],
        AFFINITY_TAU_MS,
      ),
    ),
    'a view and an add to cart, decayed to now with τ 7 d',
  );
  t.same(
    anonymous.brandAffinities.map((a) => a.name),
    ['Acme'],
  );
  t.same(anonymous.purchased, []);

  const earlyLogin = await readSubjectFeatures(
    redis,
    prefix,
    { userId: 'u-1', anonymousId: 'dev-1' },
    { nowMs: NOW },
  );
  t.equal(earlyLogin.subject, 'u:u-1', 'a request right after login, before the writer saw it…');
  t.equal(earlyLogin.mergedAnonymous, 'a:dev-1', '…adds the anonymous features itself');
  t.same(earlyLogin.sequence, anonymous.sequence);
  t.same(earlyLogin.categoryAffinities, anonymous.categoryAffinities);

  // The login (both ids), then the user buys what was in the cart, from another device.
  await write(
    event(NOW - 10 * MINUTE, { user: 'u-1', ...device }, { type: 'view', item_id: 'tent-1' }),
    event(NOW - 5 * MINUTE, { user: 'u-1' }, { type: 'purchase', items: ['lip-1', 'tent-1'] }),
  );
  const user = await readSubjectFeatures(redis, prefix, { userId: 'u-1' }, { nowMs: NOW });
  t.equal(user.subject, 'u:u-1');
  t.equal(user.mergedAnonymous, undefined);
  t.same(
    user.sequence
      .slice(0, 2)
      .map((e) => `${e.type}:${e.itemId}`)
      .sort(),
    ['purchase:lip-1', 'purchase:tent-1'],
    'the order, newest…',
  );
  t.same(
    user.sequence.slice(2).map((e) => `${e.type}:${e.itemId}`),
    ['view:tent-1', 'add_to_cart:lip-1', 'view:eye-1', 'view:lip-1'],
    '…then the login view and the anonymous history, which became the user’s',
  );
  t.same(
    user.sequence.slice(0, 2).map((e) => e.timeMs),
    [NOW - 5 * MINUTE, NOW - 5 * MINUTE],
  );
  t.same(user.cart, [], 'the purchase emptied the merged cart');
  t.same(user.purchased.map((p) => p.itemId).sort(), ['lip-1', 'tent-1']);
  t.same(user.searches, anonymous.searches, 'searches merged');
  const lips = user.categoryAffinities.find((a) => a.name === 'Beauty > Makeup > Lips');
  t.ok(
    near(
      lips?.score,
      decayed(
        [
          [1, NOW - 30 * MINUTE],
          [3, NOW - 15 * MINUTE],
          [5, NOW - 5 * MINUTE],
        ],
        AFFINITY_TAU_MS,
      ),
    ),
    'affinity: anonymous and user weight added once',
  );
  t.equal(user.categoryAffinities[0]?.name, 'Beauty > Makeup > Lips');
  t.same(
    user.brandAffinities.map((a) => a.name),
    ['Acme', 'Trail'],
    'Acme 1 + 1 + 3 + 5 before Trail 1 + 5',
  );

  const followed = await readSubjectFeatures(redis, prefix, { anonymousId: 'dev-1' }, { nowMs: NOW });
  t.equal(followed.subject, 'u:u-1', 'the anonymous subject now reads as the user it logged in as');
  t.same(followed, user);
  const both = await readSubjectFeatures(
    redis,
    prefix,
    { userId: 'u-1', anonymousId: 'dev-1' },
    { nowMs: NOW },
  );
  t.equal(both.mergedAnonymous, undefined, 'once merged by the writer, nothing is added again');
  t.same(both.categoryAffinities, user.categoryAffinities, 'so nothing counts twice');

  const limited = await readSubjectFeatures(
    redis,
    prefix,
    { userId: 'u-1' },
    { nowMs: NOW, sequenceLimit: 2, affinityLimit: 1, purchasedLimit: 0 },
  );
  t.equal(limited.sequence.length, 2);
  t.same(limited.sequence, user.sequence.slice(0, 2));
  t.same(limited.categoryAffinities, user.categoryAffinities.slice(0, 1));
  t.same(limited.brandAffinities, user.brandAffinities.slice(0, 1));
  t.same(limited.purchased, []);
  t.same(limited.searches, user.searches, 'other lists keep their default');

  // The cart does not depend on the order events are applied in (a rebuild, racing partitions).
  const carter = { user: 'u-cart' };
  await write(
    event(NOW - 2 * MINUTE, carter, { type: 'remove_from_cart', item_id: 'eye-1' }),
    event(NOW - 4 * MINUTE, carter, { type: 'add_to_cart', item_id: 'eye-1' }),
    event(NOW - 3 * MINUTE, carter, { type: 'add_to_cart', item_id: 'lip-2' }),
    event(NOW - 7 * MINUTE, carter, { type: 'remove_from_cart', item_id: 'lip-1' }),
    event(NOW - 6 * MINUTE, carter, { type: 'add_to_cart', item_id: 'lip-1' }),
  );
  const cart = await readSubjectFeatures(redis, prefix, { userId: 'u-cart' }, { nowMs: NOW });
  t.same(
    cart.cart,
    [
      { itemId: 'lip-2', timeMs: NOW - 3 * MINUTE },
      { itemId: 'lip-1', timeMs: NOW - 6 * MINUTE },
    ],
    'eye-1 was removed after it was added, though the removal was applied first',
  );
  const oneInCart = await readSubjectFeatures(
    redis,
    prefix,
    { userId: 'u-cart' },
    { nowMs: NOW, cartLimit: 1 },
  );
  t.same(oneInCart.cart, cart.cart.slice(0, 1));

  await write(event(NOW - MINUTE, { session: 'sess-9' }, { type: 'click', item_id: 'stove-1' }));
  const session = await readSubjectFeatures(redis, prefix, { sessionId: 'sess-9' }, { nowMs: NOW });
  t.equal(session.subject, 's:sess-9', 'without an anonymous id the session is the subject');
  t.same(session.sequence, [{ itemId: 'stove-1', type: 'click', timeMs: NOW - MINUTE }]);

  const stranger = await readSubjectFeatures(redis, prefix, { userId: 'nobody' }, { nowMs: NOW });
  t.equal(stranger.subject, 'u:nobody');
  t.same(
    [stranger.sequence, stranger.cart, stranger.categoryAffinities, stranger.purchased],
    [[], [], [], []],
  );
  const nobody = await readSubjectFeatures(redis, prefix, { userId: '', anonymousId: '' });
  t.equal(nobody.subject, undefined, 'no id: nobody to read');
  t.same(nobody.sequence, []);
  await t.rejects(
    readSubjectFeatures(redis, prefix, { userId: 'u-1' }, { sequenceLimit: 2.5 }),
    RangeError,
    'a fractional limit is a caller bug',
  );
});

t.test('item stats: popularity, windows with the pro-rata oldest bucket, CTR with a prior', async (t) => {
  const { redis, prefix, write } = await setup(t, 'featreads-stats');
  const shopper = { anon: 'dev-s' };
  const clicks = [
    Date.UTC(2026, 3, 28, 9), // 7 d only
    Date.UTC(2026, 4, 1, 10, 0), // 24 h, not 1 h
    Date.UTC(2026, 4, 1, 11, 12), // the oldest 1 h bucket (11:10–11:20): half of it lies in 11:15–12:15
    Date.UTC(2026, 4, 1, 11, 40),
    Date.UTC(2026, 4, 1, 12, 12),
  ];
  const impressionsAt = Date.UTC(2026, 4, 1, 12, 0);
  const shown = Array.from({ length: 20 }, () =>
    event(impressionsAt, shopper, { type: 'impression', item_ids: ['lip-1', 'lip-2'] }),
  );
  await write(
    ...clicks.slice(0, 4).map((at) => event(at, shopper, { type: 'click', item_id: 'lip-1' })),
    ...shown,
    event(clicks[4] ?? 0, shopper, { type: 'click', item_id: 'lip-1' }),
    event(Date.UTC(2026, 4, 1, 12, 5), shopper, { type: 'view', item_id: 'lip-2' }),
  );

  const [lip1, lip2, unknown] = await readItemStats(redis, prefix, ['lip-1', 'lip-2', 'nope'], NOW);
  if (lip1 === undefined || lip2 === undefined || unknown === undefined) throw new Error('one stats per id');
  t.same([lip1.itemId, lip2.itemId, unknown.itemId], ['lip-1', 'lip-2', 'nope']);
  t.same(lip1.counts['1h'].click, 2.5, '1 + 1 + half of the oldest bucket');
  t.same(lip1.counts['24h'].click, 4);
  t.same(lip1.counts['7d'].click, 5);
  t.same(lip1.counts['1h'].impression, 20, 'one impression per list it appeared in');
  t.same(lip2.counts['1h'].view, 1);
  t.same(lip2.counts['1h'].click, 0);

  const prior = { mean: 5 / 40, strength: CTR_PRIOR_STRENGTH };
  t.same(lip1.ctrPrior, prior, 'prior mean: all clicks over all impressions shown (20 lists × 2 items)');
  t.ok(near(lip1.ctr['1h'], (2.5 + prior.mean * prior.strength) / (20 + prior.strength)));
  t.ok(near(lip1.ctr['7d'], (5 + prior.mean * prior.strength) / (20 + prior.strength)));
  t.ok(lip1.ctr['7d'] > prior.mean, 'clicked more than the shop: above the prior');
  t.ok(near(lip2.ctr['24h'], (0 + prior.mean * prior.strength) / (20 + prior.strength)));
  t.ok(lip2.ctr['24h'] > 0.1, 'twenty impressions without a click are not a CTR of 0');
  t.equal(unknown.ctr['1h'], prior.mean, 'no record: the prior mean');

  t.ok(
    near(
      lip1.popularity,
      decayed(
        clicks.map((at) => [1, at]),
        POPULARITY_TAU_MS,
      ),
    ),
    'popularity: each click decayed with τ 24 h',
  );
  t.ok(
    near(
      lip1.shortPopularity,
      decayed(
        clicks.map((at) => [1, at]),
        SHORT_POPULARITY_TAU_MS,
      ),
    ),
  );
  t.ok(near(lip1.trending, trendingScore(lip1.shortPopularity, lip1.popularity)));
  t.same(
    [unknown.popularity, unknown.shortPopularity, unknown.trending, unknown.counts['7d'].view],
    [0, 0, 1, 0],
    'an unknown item: zeros and a neutral trend',
  );

  const later = await readItemStats(redis, prefix, ['lip-1'], NOW + 2 * HOUR);
  t.same(later[0]?.counts['1h'].click, 0, 'two hours later the last hour is empty');
  t.same(later[0]?.counts['24h'].click, 4, 'and the day still holds the four');
  const nextWeek = await readItemStats(redis, prefix, ['lip-1'], NOW + 7 * 24 * HOUR);
  t.ok(
    near(nextWeek[0]?.counts['7d'].click, 4 * (11.75 / 24)),
    'a week later the day bucket of 05-01 is the oldest: 11.75 of its 24 h are inside, pro rata',
  );
  const weekAfter = await readItemStats(redis, prefix, ['lip-1'], NOW + 8 * 24 * HOUR);
  t.same(weekAfter[0]?.counts['7d'].click, 0, 'then it is gone');
  t.same(await readItemStats(redis, prefix, [], NOW), []);
});

t.test('trending, global and category tops', async (t) => {
  const { redis, prefix, write } = await setup(t, 'featreads-top');
  const shopper = { anon: 'dev-t' };
  const views = (item: string, times: readonly number[]) =>
    times.map((at) => event(at, shopper, { type: 'view', item_id: item }));
  const steady = Array.from({ length: 48 }, (_, h) => NOW - (47 - h) * HOUR - 30 * MINUTE);
  const burst = Array.from({ length: 12 }, (_, m) => NOW - (24 - 2 * m) * MINUTE);
  await write(
    ...views('stove-1', steady),
    ...views('tent-1', burst),
    event(NOW - MINUTE, shopper, { type: 'purchase', items: ['lamp-1'] }),
    ...views('lip-1', [NOW - 6 * HOUR, NOW - 6 * HOUR, NOW - 6 * HOUR]),
  );

  const trending = await readTrending(redis, prefix, 10, NOW);
  t.same(
    trending.map((i) => i.itemId),
    ['tent-1', 'lamp-1', 'stove-1', 'lip-1'],
    'the burst first; a lone purchase next, well behind; a steady seller ~1; a cooling item last',
  );
  t.ok((trending[0]?.score ?? 0) > 1.5, `the burst trends clearly (${trending[0]?.score})`);
  t.ok(
    (trending[1]?.score ?? 24) < 2,
    `one event is far from the 24 it would score without a prior (${trending[1]?.score})`,
  );
  t.ok(Math.abs((trending[2]?.score ?? 0) - 1) < 0.1, `steady (${trending[2]?.score})`);
  t.ok((trending[3]?.score ?? 2) < 1, `cooling (${trending[3]?.score})`);
  const stats = await readItemStats(redis, prefix, ['tent-1'], NOW);
  t.ok(near(stats[0]?.trending, trending[0]?.score ?? NaN), 'item stats and the trending list agree');
  t.same(
    (await readTrending(redis, prefix, 2, NOW)).map((i) => i.itemId),
    ['tent-1', 'lamp-1'],
  );
  t.same(await readTrending(redis, prefix, 0, NOW), []);

  const top = await readTopPopular(redis, prefix, 2, NOW);
  t.same(
    top.map((i) => i.itemId),
    ['stove-1', 'tent-1'],
  );
  t.ok(
    near(
      top[0]?.score,
      decayed(
        steady.map((at) => [1, at]),
        POPULARITY_TAU_MS,
      ),
    ),
  );

  const outdoor = await readCategoryTop(redis, prefix, 'Outdoor', 10, NOW);
  t.same(
    outdoor.map((i) => i.itemId),
    ['stove-1', 'tent-1', 'lamp-1'],
    'a lone purchase (weight 5) is below twelve views',
  );
  t.ok(near(outdoor[2]?.score, 5 * Math.exp(-MINUTE / POPULARITY_TAU_MS)));
  t.same(
    (await readCategoryTop(redis, prefix, 'Outdoor > Camping > Tents > Dome', 10, NOW)).map((i) => i.itemId),
    ['tent-1'],
    'a path deeper than the kept levels reads its ancestor’s list',
  );
  t.same(
    (await readCategoryTop(redis, prefix, ['Outdoor', 'Camping', 'Stoves'], 10, NOW)).map((i) => i.itemId),
    ['stove-1'],
  );
  t.same(
    (await readCategoryTop(redis, prefix, 'Beauty', 1, NOW)).map((i) => i.itemId),
    ['lip-1'],
  );
  t.same(await readCategoryTop(redis, prefix, 'Garden', 10, NOW), []);
  t.same(await readCategoryTop(redis, prefix, 'Outdoor', 0, NOW), []);
  const [meta] = await readItemMeta(redis, prefix, [outdoor[0]?.itemId ?? '']);
  t.equal(meta?.category, 'Outdoor > Camping > Stoves', 'top items resolve to their display fields');
});

t.test('neighbours: co-visitation within sessions, bought together from orders', async (t) => {
  const { redis, prefix, write } = await setup(t, 'featreads-neighbours');
  const first = { anon: 'dev-n1', session: 'sess-n1' };
  const second = { anon: 'dev-n2', session: 'sess-n2' };
  await write(
    event(NOW - 10 * MINUTE, first, { type: 'view', item_id: 'lip-1' }),
    event(NOW - 9 * MINUTE, first, { type: 'view', item_id: 'lip-2' }),
    event(NOW - 8 * MINUTE, first, { type: 'view', item_id: 'eye-1' }),
    event(NOW - 3 * HOUR, second, { type: 'view', item_id: 'tent-1' }),
    event(NOW - 60 * MINUTE, second, { type: 'view', item_id: 'lip-1' }),
    event(NOW - 10 * MINUTE, second, { type: 'view', item_id: 'eye-1' }),
  );
  const [lip1, none] = await readCovisitNeighbours(redis, prefix, ['lip-1', 'unknown'], 5);
  const weight = (gapMs: number) => Math.exp(-gapMs / (30 * MINUTE));
  t.same(
    lip1?.neighbours.map((n) => n.itemId),
    ['eye-1', 'lip-2'],
    'tent-1 was two hours before lip-1 in its session: no pair',
  );
  t.ok(near(lip1?.neighbours[0]?.weight, weight(2 * MINUTE) + weight(50 * MINUTE)), 'eye-1: two sessions');
  t.ok(near(lip1?.neighbours[1]?.weight, weight(MINUTE)), 'lip-2: one minute apart');
  t.same(none, { itemId: 'unknown', neighbours: [] });
  const [top1] = await readCovisitNeighbours(redis, prefix, ['lip-1'], 1);
  t.same(
    top1?.neighbours.map((n) => n.itemId),
    ['eye-1'],
  );
  t.same(await readCovisitNeighbours(redis, prefix, ['lip-1'], 0), [{ itemId: 'lip-1', neighbours: [] }]);

  const buyer = { user: 'u-b' };
  const others = (order: number) => Array.from({ length: 19 }, (_, i) => `sku-${order}-${i}`);
  await write(
    event(NOW - 3 * HOUR, buyer, { type: 'purchase', items: ['lip-1', 'lip-2', 'eye-1'] }),
    event(NOW - 2 * HOUR, buyer, { type: 'purchase', items: ['lip-1', 'lip-2'] }),
    ...[1, 2, 3].map((order) =>
      event(NOW - order * MINUTE, buyer, { type: 'purchase', items: ['hub', ...others(order)] }),
    ),
  );
  const [bought, eye, hub] = await readBoughtTogether(redis, prefix, ['lip-1', 'eye-1', 'hub'], 10);
  t.same(bought?.neighbours, [
    { itemId: 'lip-2', weight: 2 },
    { itemId: 'eye-1', weight: 1 },
  ]);
  t.same(eye?.neighbours.map((n) => n.itemId).sort(), ['lip-1', 'lip-2']);
  t.equal(hub?.neighbours.length, 10);
  const [hubAll] = await readBoughtTogether(redis, prefix, ['hub'], 1000);
  t.equal(hubAll?.neighbours.length, NEIGHBOURS_SERVED_MAX, '57 stored, at most half of the cap served');
  await t.rejects(readBoughtTogether(redis, prefix, ['hub'], Number.NaN), RangeError);
});
