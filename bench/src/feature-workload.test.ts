import t from 'tap';
import { createValidators } from '@recstream/schemas';
import {
  CATEGORY_LEAVES,
  catalogItem,
  clickstream,
  enriched,
  randomUuid,
  seededRandom,
  zipfSampler,
} from './feature-workload.js';

const options = { seed: 7, items: 5000, shoppers: 2000, loginShare: 0.3, concurrentShoppers: 100 };

t.test('the same seed gives the same stream, another seed another', (t) => {
  const take = (seed: number) =>
    [...clickstream({ ...options, seed, shoppers: 50 })].map((e) => JSON.stringify(e));
  t.same(take(3), take(3));
  t.not(take(3).join(), take(4).join());
  t.end();
});

t.test('every event is valid under the event contract and has a unique id', (t) => {
  const validators = createValidators();
  const events = [...clickstream(options)];
  const invalid = events
    .map((event) => ({
      event,
      verdict: validators.validateEvent({ ...event, timestamp: new Date().toISOString() }),
    }))
    .filter(({ verdict }) => !verdict.ok);
  t.same(invalid, [], 'no event refused');
  t.equal(new Set(events.map((event) => event.event_id)).size, events.length, 'ids unique');
  t.end();
});

t.test('the stream looks like shop traffic', (t) => {
  const events = [...clickstream(options)];
  const perShopper = events.length / options.shoppers;
  t.ok(perShopper > 3 && perShopper < 7, `a few events per shopper (${perShopper})`);
  const shoppers = new Set(events.map((event) => event.anonymous_id));
  t.equal(shoppers.size, options.shoppers, 'every shopper has events');
  const types = new Set(events.map((event) => event.type));
  t.same([...types].sort(), [
    'add_to_cart',
    'click',
    'impression',
    'purchase',
    'remove_from_cart',
    'search',
    'view',
  ]);
  const users = new Set(events.flatMap((event) => (event.user_id === undefined ? [] : [event.user_id])));
  t.ok(
    users.size > options.shoppers * 0.15 && users.size < options.shoppers * 0.3,
    `some log in (${users.size})`,
  );
  // A login: the same device seen without, then with, a user id.
  const loggedInDevices = new Set(events.filter((e) => e.user_id !== undefined).map((e) => e.anonymous_id));
  const anonymousFirst = events.filter((e) => e.user_id === undefined && loggedInDevices.has(e.anonymous_id));
  t.ok(anonymousFirst.length > 0, 'some registered shoppers browse before logging in');
  // Skew: the most viewed item gets far more than an average one.
  const views = new Map<string, number>();
  for (const event of events)
    if (event.type === 'view') views.set(event.item_id, (views.get(event.item_id) ?? 0) + 1);
  const counts = [...views.values()].sort((a, b) => b - a);
  const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
  t.ok((counts[0] ?? 0) > 20 * mean, `popularity is skewed (top ${counts[0]}, mean ${mean.toFixed(1)})`);
  t.end();
});

t.test('concurrent shoppers interleave, each shopper in order of its own sessions', (t) => {
  const events = [...clickstream({ ...options, shoppers: 200, concurrentShoppers: 50 })];
  const firstTen = new Set(events.slice(0, 10).map((event) => event.anonymous_id));
  t.ok(firstTen.size > 5, 'the first events come from several shoppers');
  t.end();
});

t.test('zipf ranks follow 1/rank', (t) => {
  const draw = zipfSampler(1000, 1, seededRandom(1));
  const counts = new Array<number>(1000).fill(0);
  for (let i = 0; i < 200_000; i += 1) counts[draw()]! += 1;
  const ratio = (counts[0] ?? 0) / (counts[1] ?? 1);
  t.ok(ratio > 1.8 && ratio < 2.2, `rank 1 twice as likely as rank 2 (${ratio})`);
  t.ok(
    counts.every((count) => count >= 0),
    'in range',
  );
  t.throws(() => zipfSampler(0, 1, Math.random), /positive integer/);
  t.end();
});

t.test('catalog items: stable, contiguous categories, valid under the item contract', (t) => {
  const validators = createValidators();
  t.same(catalogItem(42, 10_000), catalogItem(42, 10_000));
  const item = { ...catalogItem(42, 10_000), updated_at: new Date().toISOString() };
  t.ok(validators.validateItem(item).ok, 'valid item');
  t.same(
    catalogItem(0, 10_000).category_path,
    catalogItem(1, 10_000).category_path,
    'neighbours share a category',
  );
  const categories = new Set(
    Array.from({ length: 10_000 }, (_, i) => catalogItem(i, 10_000).category_path.join('>')),
  );
  t.equal(categories.size, CATEGORY_LEAVES, 'every leaf category used');
  t.end();
});

t.test('ids and enrichment', (t) => {
  t.match(randomUuid(seededRandom(5)), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  const event = enriched({ type: 'view', event_id: 'e1', item_id: 'sku-1' }, 0, 1000);
  t.match(event, {
    event_time: '1970-01-01T00:00:00.000Z',
    received_at: '1970-01-01T00:00:01.000Z',
    schema_version: 1,
  });
  t.end();
});
