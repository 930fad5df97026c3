/**
 * Experiments end to end, against the real local Redis, Kafka and ClickHouse: serving (in process)
 * answers shoppers from real features, each under the variant their id hashes to, and logs every
 * answer as an impression through the real producer onto the events topic; clicks and purchases
 * come back with the answers' request ids; the real ingest sink (its own process) moves all of it
 * into ClickHouse; `experiment_results` must then hold exactly the numbers worked out here from
 * what was served and sent — impressions, CTR, conversions, revenue per impression and their 95 %
 * intervals (Wilson, normal approximation) computed independently below.
 */
import t from 'tap';
import { createLogger } from '@recstream/logger';
import { createMetrics } from '@recstream/metrics';
import { createRedis } from '@recstream/redis';
import {
  createValidators,
  eventPartitionKey,
  type AssignmentResponse,
  type CatalogItem,
  type EnrichedEvent,
  type RecommendationsResponse,
} from '@recstream/schemas';
import { namespaceDatabase } from '../support/namespace-fixture.js';
import { servingApp } from '../support/serving-app.js';
import { parseExperiments } from '@recstream/serving/experiments';
import { createImpressionLog } from '@recstream/serving/impressions';
import {
  connectTestKafka,
  infra,
  startService,
  testNamespace,
  testTopics,
  waitFor,
} from '@recstream/testing';
import { createEventFactory, createFeatureWriter } from '../support/shop-events.js';

const ns = testNamespace('servexp');
const topics = testTopics(ns);
const logger = createLogger({ service: 'test', level: 'silent' });
const NOW = Date.now();
const MINUTE = 60_000;
const SHOPPERS = 40;

const catalog: CatalogItem[] = Array.from({ length: 12 }, (_, i) => ({
  item_id: `sku-${i}`,
  title: `Item ${i}`,
  category_path: ['Shop', i % 2 === 0 ? 'Even' : 'Odd'],
  brand: `Brand ${i % 3}`,
  price: 10 + i,
  currency: 'EUR',
  availability: 'in_stock' as const,
  updated_at: new Date(NOW - 24 * 60 * MINUTE).toISOString(),
}));

const EXPERIMENT = 'diversity-test';
const experiments = parseExperiments(
  'test',
  JSON.stringify([
    {
      name: EXPERIMENT,
      flows: ['recommendations'],
      variants: [
        { name: 'control', weight: 1 },
        { name: 'varied', weight: 1, diversity_lambda: 0.3 },
      ],
    },
  ]),
);

/** 95 % Wilson score interval of x successes in n trials. */
function wilson(x: number, n: number): [number, number] {
  const z = 1.96;
  const p = x / n;
  const centre = p + (z * z) / (2 * n);
  const margin = z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return [(centre - margin) / (1 + (z * z) / n), (centre + margin) / (1 + (z * z) / n)];
}

/** Mean and 95 % normal-approximation interval. */
function meanInterval(values: readonly number[]): [number, number, number] {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return [mean, mean, mean];
  const variance = values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (n - 1);
  const margin = 1.96 * Math.sqrt(variance / n);
  return [mean, mean - margin, mean + margin];
}

t.test('per-variant CTR, conversion and revenue from real impressions, clicks and purchases', async (t) => {
  const clickhouse = await namespaceDatabase(t, ns, { redisKeys: true });
  const redis = createRedis(infra.featureRedisUrl);
  await redis.connect();
  const { producer } = await connectTestKafka(ns);
  // Runs before the database is dropped (teardowns run last registered first).
  t.teardown(async () => {
    await producer.disconnect();
    redis.disconnect();
  });
  const sink = await startService({
    service: 'ingest',
    env: { ...ns.env, REC_INGEST_ROLE: 'sink', REC_SINK_BATCH_DELAY_MS: '200' },
  });
  t.teardown(() => sink.stop());

  // Features: every item viewed, some more than others, so every shopper gets a full answer.
  const event = createEventFactory();
  const write = await createFeatureWriter(redis, ns.redisPrefix, catalog);
  await write(
    catalog.flatMap((item, i) =>
      Array.from({ length: 12 - i }, (_, j) =>
        event(
          NOW - 30 * MINUTE + j * 1000,
          { anon: `viewer-${i}-${j}` },
          { type: 'view', item_id: item.item_id },
        ),
      ),
    ),
  );

  const metrics = createMetrics('serving', { defaultMetrics: false });
  const impressions = createImpressionLog({
    producer,
    topic: topics.events,
    validators: createValidators(),
    metrics,
    logger,
    maxPending: 1000,
  });
  const app = await servingApp(t, {
    metrics,
    redis,
    redisPrefix: ns.redisPrefix,
    maxK: 20,
    experiments,
    impressions,
    clock: () => NOW,
  });

  // Forty shoppers, one answer each.
  const served: { user: string; answer: RecommendationsResponse }[] = [];
  for (let i = 0; i < SHOPPERS; i += 1) {
    const user = `shopper-${i}`;
    const response = await app.inject({ method: 'GET', url: `/v1/recommendations?user_id=${user}&k=4` });
    t.equal(response.statusCode, 200);
    served.push({ user, answer: response.json<RecommendationsResponse>() });
  }
  t.ok(
    served.every(({ answer }) => answer.items.length === 4),
    'full answers',
  );
  t.ok(
    served.every(({ answer }) => answer.experiment === EXPERIMENT),
    'every answer names its experiment',
  );
  const variants = new Set(served.map(({ answer }) => answer.variant));
  t.same([...variants].sort(), ['control', 'varied'], 'both variants served');
  // The assignment is stable: the admin endpoint (which logs nothing) says the same.
  for (const { user, answer } of served.slice(0, 10)) {
    const assignment = await app.inject({
      method: 'GET',
      url: `/v1/admin/experiments/assignment?user_id=${user}`,
    });
    t.match(assignment.json<AssignmentResponse>(), {
      unit: user,
      experiment: EXPERIMENT,
      variant: answer.variant,
    });
  }
  // Answers outside the experiment are logged too, but are not in its numbers.
  const similar = await app.inject({ method: 'GET', url: '/v1/items/sku-1/similar?k=3&user_id=shopper-0' });
  t.equal(similar.json<RecommendationsResponse>().experiment, undefined);
  const popular = await app.inject({
    method: 'GET',
    url: '/v1/recommendations/popular?k=3&anonymous_id=a-9',
  });
  t.equal(popular.statusCode, 200);
  // No shopper id: answered, assigned to nothing, and no impression (nothing to key it by).
  const sessionOnly = await app.inject({ method: 'GET', url: '/v1/recommendations?session_id=s-1&k=4' });
  t.equal(sessionOnly.statusCode, 200);
  await impressions.drain();
  const counted = await metrics.registry.getSingleMetric('rec_serving_impressions_total')?.get();
  t.same(
    Object.fromEntries((counted?.values ?? []).map((v) => [v.labels['outcome'], v.value])),
    { produced: SHOPPERS + 2, skipped_no_shopper: 1 },
    'every answer accounted for',
  );

  // Shoppers react: every third clicks the second item (one twice, and once on an item not shown),
  // every fourth buys with the answer's request id (one order redelivered with the same id).
  const reactions: EnrichedEvent[] = [];
  const at = new Date(NOW + MINUTE).toISOString();
  const common = (id: string, user: string, requestId: string) => ({
    event_id: id,
    user_id: user,
    request_id: requestId,
    schema_version: 1 as const,
    received_at: at,
    event_time: at,
    source: 'test',
  });
  served.forEach(({ user, answer }, i) => {
    const second = answer.items[1]?.item_id ?? 'missing';
    if (i % 3 === 0)
      reactions.push({ ...common(`click-${i}`, user, answer.request_id), type: 'click', item_id: second });
    if (i === 3)
      reactions.push({
        ...common(`click-${i}-again`, user, answer.request_id),
        type: 'click',
        item_id: second,
      });
    if (i === 6)
      reactions.push({
        ...common(`click-${i}-off`, user, answer.request_id),
        type: 'click',
        item_id: 'sku-not-shown',
      });
    if (i % 4 === 0) {
      const order = {
        ...common(`order-${i}`, user, answer.request_id),
        type: 'purchase' as const,
        order_id: `o-${i}`,
        currency: 'EUR',
        items: [{ item_id: second, price: 10 + i, quantity: 1 + (i % 3) }],
      };
      reactions.push(order);
      if (i === 8) reactions.push(order);
    }
  });
  await producer.send(
    topics.events,
    reactions.map((e) => ({ key: eventPartitionKey(e), value: JSON.stringify(e) })),
  );

  // What the view must say, from what was served and sent.
  const expected = new Map<
    string,
    {
      n: number;
      clicked: number;
      clicks: number;
      shown: number;
      itemsClicked: number;
      converted: number;
      orders: number;
      revenues: number[];
    }
  >();
  served.forEach(({ answer }, i) => {
    const variant = answer.variant ?? '';
    const v = expected.get(variant) ?? {
      n: 0,
      clicked: 0,
      clicks: 0,
      shown: 0,
      itemsClicked: 0,
      converted: 0,
      orders: 0,
      revenues: [],
    };
    v.n += 1;
    v.shown += answer.items.length;
    if (i % 3 === 0) {
      v.clicked += 1;
      v.itemsClicked += 1;
      v.clicks += 1 + (i === 3 ? 1 : 0) + (i === 6 ? 1 : 0);
    }
    const revenue = i % 4 === 0 ? (10 + i) * (1 + (i % 3)) : 0;
    if (i % 4 === 0) {
      v.converted += 1;
      v.orders += 1;
    }
    v.revenues.push(revenue);
    expected.set(variant, v);
  });

  interface Row {
    variant: string;
    impressions: string;
    clicked_impressions: string;
    ctr: number;
    ctr_low: number;
    ctr_high: number;
    clicks: string;
    items_shown: string;
    items_clicked: string;
    conversions: string;
    conversion_rate: number;
    conversion_low: number;
    conversion_high: number;
    orders: string;
    revenue: number;
    revenue_per_impression: number;
    revenue_per_impression_low: number;
    revenue_per_impression_high: number;
  }
  const totalOrders = [...expected.values()].reduce((s, v) => s + v.orders, 0);
  const rows = await waitFor(
    'impressions, clicks and orders in experiment_results',
    async () => {
      const result = await clickhouse.query<Row>(
        `SELECT * FROM experiment_results WHERE experiment = '${EXPERIMENT}' ORDER BY variant`,
      );
      const impressionsSeen = result.reduce((s, r) => s + Number(r.impressions), 0);
      const ordersSeen = result.reduce((s, r) => s + Number(r.orders), 0);
      const clicksSeen = result.reduce((s, r) => s + Number(r.clicks), 0);
      return impressionsSeen === SHOPPERS && ordersSeen === totalOrders && clicksSeen === 16
        ? result
        : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  );

  t.equal(rows.length, 2);
  for (const row of rows) {
    const v = expected.get(row.variant);
    if (v === undefined) throw new Error(`unexpected variant ${row.variant}`);
    const close = (actual: number, wanted: number, what: string) =>
      t.ok(Math.abs(actual - wanted) < 1e-4, `${row.variant} ${what}: ${actual} ≈ ${wanted}`);
    t.equal(Number(row.impressions), v.n, `${row.variant} impressions`);
    t.equal(Number(row.clicked_impressions), v.clicked);
    t.equal(Number(row.clicks), v.clicks);
    t.equal(Number(row.items_shown), v.shown);
    t.equal(
      Number(row.items_clicked),
      v.itemsClicked,
      'a click on an item not shown is no shown item clicked',
    );
    t.equal(Number(row.conversions), v.converted);
    t.equal(Number(row.orders), v.orders, 'a redelivered order counts once');
    close(row.ctr, v.clicked / v.n, 'ctr');
    const [ctrLow, ctrHigh] = wilson(v.clicked, v.n);
    close(row.ctr_low, ctrLow, 'ctr_low');
    close(row.ctr_high, ctrHigh, 'ctr_high');
    const [convLow, convHigh] = wilson(v.converted, v.n);
    close(row.conversion_rate, v.converted / v.n, 'conversion_rate');
    close(row.conversion_low, convLow, 'conversion_low');
    close(row.conversion_high, convHigh, 'conversion_high');
    const [mean, low, high] = meanInterval(v.revenues);
    close(
      row.revenue,
      v.revenues.reduce((a, b) => a + b, 0),
      'revenue',
    );
    close(row.revenue_per_impression, mean, 'revenue_per_impression');
    close(row.revenue_per_impression_low, low, 'revenue_per_impression_low');
    close(row.revenue_per_impression_high, high, 'revenue_per_impression_high');
  }

  const stored = await clickhouse.query<{ source: string; list: string; properties: string }>(
    `SELECT source, list, properties FROM events WHERE type = 'impression' ORDER BY list`,
  );
  t.equal(stored.length, SHOPPERS + 2, 'the similar and popular answers are stored too');
  t.same(
    [...new Set(stored.map((row) => row.list))],
    ['popular', 'recommendations', 'similar'],
    'each under the endpoint that answered',
  );
  t.match(stored.at(-1), { source: 'serving', list: 'similar', properties: /"experiment":""/ });
});
