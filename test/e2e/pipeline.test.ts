/**
 * The whole path, for real: events POSTed to ingest reach Kafka, the sink writes them to
 * ClickHouse, the feature service updates popularity and shoppers' features in Redis, and
 * serving's popular list and personalised recommendations change because of them. Every service
 * runs as its own process; SIGTERM stops each cleanly.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createWriteKeyStore } from '@recstream/ingest/auth';
import { createApiKeyStore } from '@recstream/serving/auth';
import { createRedis } from '@recstream/redis';
import {
  createTestDatabase,
  createTestTopics,
  deleteTestKeys,
  deleteTestTopics,
  dropTestDatabase,
  sql,
  startService,
  testNamespace,
  waitFor,
  type RunningService,
} from './e2e-support.js';

const ns = testNamespace('e2e');

interface Popular {
  items: { item_id: string; score: number; title?: string }[];
}
interface Recommended {
  items: { item_id: string }[];
  degraded: boolean;
}

t.setTimeout(240_000);

t.test('an event sent to ingest changes what serving recommends', async (t) => {
  const clickhouse = await createTestDatabase(ns);
  await createTestTopics(ns);
  const services: RunningService[] = [];
  t.teardown(async () => {
    for (const service of services) await service.stop('SIGKILL');
    await clickhouse.close();
    await Promise.allSettled([dropTestDatabase(ns), deleteTestTopics(ns), deleteTestKeys(ns)]);
  });

  const [ingest, feature, serving] = await Promise.all([
    startService({
      service: 'ingest',
      env: { ...ns.env, REC_INGEST_ROLE: 'both', REC_SINK_BATCH_DELAY_MS: '200' },
    }),
    startService({ service: 'feature', env: ns.env }),
    startService({ service: 'serving', env: ns.env }),
  ]);
  services.push(ingest, feature, serving);

  // The collector requires a write key: issue one in the namespace's Redis, as `pnpm write-keys` does.
  const redis = createRedis(ns.env['REC_REDIS_URL'] ?? '');
  await redis.connect();
  const { key: writeKey } = await createWriteKeyStore(redis, ns.redisPrefix).create({
    source: 'e2e-shop',
    // The shop's backend: it loads the catalog and forwards events.
    kind: 'server',
    scopes: ['events', 'catalog'],
    limit: { ratePerSecond: 1000, burst: 1000 },
  });
  // Serving requires an API key: a read key, as `pnpm serving-keys create` issues.
  const { key: servingKey } = await createApiKeyStore(redis, ns.redisPrefix).create({
    name: 'e2e-shop',
    scope: 'read',
    limit: { ratePerSecond: 1000, burst: 1000 },
  });
  redis.disconnect();

  const post = (path: string, body: unknown, key: string | null = writeKey) =>
    fetch(`${ingest.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key === null ? {} : { 'x-write-key': key }) },
      body: JSON.stringify(body),
    });
  const unauthenticated = await post('/v1/events', [], null);
  t.equal(unauthenticated.status, 401, 'intake without a write key is refused');
  t.equal(
    ((await unauthenticated.json()) as { error: { code: string } }).error.code,
    'REC_ERR_WRITE_KEY_MISSING',
  );
  const popular = async (): Promise<Popular> =>
    (await (
      await fetch(`${serving.url}/v1/recommendations/popular?k=10`, {
        headers: { authorization: `Bearer ${servingKey}` },
      })
    ).json()) as Popular;

  const items = ['sku-a', 'sku-b'].map((item_id) => ({
    item_id,
    title: `Title of ${item_id}`,
    category_path: ['Beauty', 'Lips'],
    price: 10,
    currency: 'EUR',
    availability: 'in_stock',
    updated_at: new Date().toISOString(),
  }));
  t.equal((await post('/v1/items', items)).status, 202, 'catalog accepted');

  // First wave: sku-a is the popular one.
  const wave1 = Array.from({ length: 5 }, (_, i) => ({
    event_id: `${ns.id}-a${i}`,
    type: 'view',
    user_id: `u${i}`,
    item_id: 'sku-a',
  }));
  wave1.push({ event_id: `${ns.id}-b0`, type: 'view', user_id: 'u9', item_id: 'sku-b' });
  const response1 = await post('/v1/events', wave1);
  t.equal(response1.status, 202);
  t.same(await response1.json(), { accepted: 6, rejected: [] });

  const before = await waitFor('sku-a on top', async () => {
    const result = await popular();
    return result.items[0]?.item_id === 'sku-a' && result.items.length === 2 ? result : undefined;
  });
  t.equal(before.items[0]?.title, 'Title of sku-a', 'item metadata comes from the catalog feed');

  // Second wave: purchases of sku-b overtake sku-a.
  const wave2 = Array.from({ length: 3 }, (_, i) => ({
    event_id: `${ns.id}-p${i}`,
    type: 'purchase',
    user_id: `u${i}`,
    order_id: `o${i}`,
    currency: 'EUR',
    items: [{ item_id: 'sku-b', price: 10, quantity: 1 }],
  }));
  t.equal((await post('/v1/events', wave2)).status, 202);
  const after = await waitFor('sku-b on top', async () => {
    const result = await popular();
    return result.items[0]?.item_id === 'sku-b' ? result : undefined;
  });
  t.ok((after.items[0]?.score ?? 0) > (after.items[1]?.score ?? 0), 'sku-b now ranks above sku-a');

  // A redelivered event (same id) changes nothing.
  t.equal((await post('/v1/events', [wave1[0]])).status, 202);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const again = await popular();
  t.equal(
    again.items.find((i) => i.item_id === 'sku-a')?.score.toFixed(3),
    after.items.find((i) => i.item_id === 'sku-a')?.score.toFixed(3),
    'duplicate event id is applied once',
  );

  // Every accepted event is queryable in ClickHouse.
  const rows = await waitFor('events in ClickHouse', async () => {
    const result = await clickhouse.query<{ type: string; n: string }>(
      sql`SELECT type, count() AS n FROM (SELECT * FROM events FINAL) GROUP BY type ORDER BY type`,
    );
    return result.reduce((sum, r) => sum + Number(r.n), 0) === 9 ? result : undefined;
  });
  t.same(
    rows.map((r) => [r.type, Number(r.n)]),
    [
      ['purchase', 3],
      ['view', 6],
    ],
  );
  t.same(
    await clickhouse.query<{ source: string }>(sql`SELECT DISTINCT source FROM events`),
    [{ source: 'e2e-shop' }],
    "every event carries its write key's source",
  );
  // The resent duplicate was skipped by the sink: stored once without FINAL, counted once in the rollup.
  const [raw] = await clickhouse.query<{ n: string }>(sql`SELECT count() AS n FROM events`);
  t.equal(Number(raw?.n), 9, 'the duplicate event id is stored once');
  const [views] = await clickhouse.query<{ views: string }>(
    sql`SELECT sum(views) AS views FROM daily_item_stats WHERE item_id = 'sku-a'`,
  );
  t.equal(Number(views?.views), 5, 'and counted once by the analyst rollup');

  // Personalised recommendations from the same events (after the counts above: answers are logged
  // as impressions): u3 viewed sku-a, so it is not offered again and the popular sku-b fills in;
  // a shopper nobody knows gets the popular items.
  const recommend = async (query: string) => {
    const response = await fetch(`${serving.url}/v1/recommendations?${query}`, {
      headers: { authorization: `Bearer ${servingKey}` },
    });
    return (await response.json()) as Recommended;
  };
  const forNewcomer = await recommend('user_id=u-new&k=5');
  t.equal(forNewcomer.degraded, false);
  t.same(
    forNewcomer.items.map((i) => i.item_id).sort(),
    ['sku-a', 'sku-b'],
    'a newcomer gets the popular items',
  );
  const forViewer = await waitFor('u3 recommendations without what they viewed', async () => {
    const result = await recommend('user_id=u3&k=5');
    return result.items.length > 0 && result.items.every((i) => i.item_id !== 'sku-a') ? result : undefined;
  });
  t.same(
    forViewer.items.map((i) => i.item_id),
    ['sku-b'],
    'what the shopper just viewed is left out',
  );

  // A catalog deletion reaches ClickHouse as the item's latest version.
  const deletion = await fetch(`${ingest.url}/v1/items/sku-b`, {
    method: 'DELETE',
    headers: { 'x-write-key': writeKey },
  });
  t.equal(deletion.status, 202, 'deletion accepted');
  const deleted = await waitFor('the deletion in ClickHouse', async () => {
    const result = await clickhouse.query<{ is_deleted: number }>(
      sql`SELECT is_deleted FROM items FINAL WHERE item_id = 'sku-b'`,
    );
    return Number(result[0]?.is_deleted) === 1 ? result : undefined;
  });
  t.equal(Number(deleted[0]?.is_deleted), 1, 'items FINAL shows sku-b deleted');

  // The trainer learns the popularity baseline from the ClickHouse log and publishes it.
  const registryDir = await mkdtemp(join(tmpdir(), `${ns.id}-models-`));
  t.teardown(() => rm(registryDir, { recursive: true, force: true }));
  const trainer = await startService({
    service: 'trainer',
    env: { ...ns.env, REC_MODEL_REGISTRY_DIR: registryDir },
  });
  services.push(trainer);
  const artifact = await waitFor('a published popularity model', async () => {
    const versions = await readdir(join(registryDir, 'popularity')).catch(() => []);
    const version = versions[0];
    if (version === undefined) return undefined;
    const manifest = await readFile(join(registryDir, 'popularity', version, 'manifest.json'), 'utf8').catch(
      () => undefined,
    );
    if (manifest === undefined) return undefined;
    return JSON.parse(await readFile(join(registryDir, 'popularity', version, 'artifact.json'), 'utf8')) as {
      items: { itemId: string; score: number }[];
    };
  });
  t.same(
    artifact.items,
    [
      { itemId: 'sku-b', score: 16 },
      { itemId: 'sku-a', score: 5 },
    ],
    'trained on the deduplicated log: 3 purchases x 5 + 1 view for sku-b, 5 views for sku-a',
  );

  // An invalid event is refused with a reason naming the field.
  const bad = await post('/v1/events', { event_id: 'x', type: 'view', user_id: 'u1' });
  t.equal(bad.status, 400);
  const body = (await bad.json()) as {
    error: { code: string; rejected: { problems: { field: string }[] }[] };
  };
  t.equal(body.error.code, 'REC_ERR_INVALID_INPUT');
  t.equal(body.error.rejected[0]?.problems[0]?.field, '/item_id');
  const failed = await waitFor('the refused event in failed_events', async () => {
    const result = await clickhouse.query<{ step: string; reason: string; payload: string }>(
      sql`SELECT step, reason, payload FROM failed_events WHERE source = ${'http:/v1/events'}`,
    );
    return result.length > 0 ? result : undefined;
  });
  t.same(
    failed,
    [
      {
        step: 'validate',
        reason: '/item_id is required',
        payload: '{"event_id":"x","type":"view","user_id":"u1"}',
      },
    ],
    'analysts see the refused event, as sent, with its reason',
  );

  // Clean exit on SIGTERM.
  for (const service of [ingest, feature, serving, trainer])
    t.equal(await service.stop('SIGTERM'), 0, 'exits 0 on SIGTERM');
});
