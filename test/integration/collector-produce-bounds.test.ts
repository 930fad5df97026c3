/**
 * One client's large request must not hurt anyone else's: the collector bounds every Kafka produce
 * request in bytes, so a batch of large, nearly incompressible events (valid by the contract) is
 * stored like any other, and the requests that share the producer with it keep being acknowledged.
 *
 * Before the bound, such a batch overran Kafka's 1 MiB record-batch limit: every request sharing
 * the produce request got 503, and the idempotent producer's sequence numbers fell out of step
 * with the broker, so every later request of every source got 503 until the collector restarted.
 */
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { topicName } from '@recstream/schemas';
import { readTopic, startService, testNamespace, infra, type RunningService } from '@recstream/testing';

const randomId = () => randomBytes(96).toString('base64').slice(0, 128);

/** Impressions of 500 random 128-character ids: ~65 KB each, all for one shopper (one partition). */
function heavyImpressions(batch: string, count: number) {
  return Array.from({ length: count }, (_, i) => ({
    type: 'impression',
    event_id: `${batch}-imp-${i}`,
    anonymous_id: `${batch}-shopper`,
    item_ids: Array.from({ length: 500 }, randomId),
  }));
}

const views = (batch: string, count: number) =>
  Array.from({ length: count }, (_, i) => ({
    type: 'view',
    event_id: `${batch}-view-${i}`,
    anonymous_id: `${batch}-a${i}`,
    item_id: `sku-${i}`,
  }));

async function post(collector: RunningService, events: unknown[]) {
  const response = await fetch(`${collector.url}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(events),
  });
  return { status: response.status, body: await response.text() };
}

t.test('a batch of large events neither fails nor blocks other requests', async (t) => {
  const ns = testNamespace('prodbound');
  const collector = await startService({
    service: 'ingest',
    env: {
      ...ns.env,
      REC_INGEST_ROLE: 'collector',
      REC_INGEST_AUTH: 'disabled',
      REC_INGEST_PRODUCE_TIMEOUT_MS: '10000',
    },
  });
  t.teardown(() => collector.stop('SIGKILL'));
  const acknowledged = new Set<string>();

  // The heavy batch (about 1.3 MB for one partition) and other shoppers' small requests, at once.
  const heavy = [...heavyImpressions('heavy', 20), ...views('heavy', 12)];
  const others = Array.from({ length: 10 }, (_, i) => views(`beside${i}`, 5));
  const [heavyResult, ...besideResults] = await Promise.all([
    post(collector, heavy),
    ...others.map((events) => post(collector, events)),
  ]);
  t.equal(heavyResult?.status, 202, `the heavy batch is accepted (${heavyResult?.body.slice(0, 200)})`);
  if (heavyResult?.status === 202) heavy.forEach((e) => acknowledged.add(e.event_id));
  besideResults.forEach((result, i) => {
    t.equal(result.status, 202, `a request sent beside it is accepted (${result.body.slice(0, 120)})`);
    if (result.status === 202) others[i]?.forEach((e) => acknowledged.add(e.event_id));
  });

  // Afterwards every source keeps being served: no lasting producer failure.
  const after = Array.from({ length: 20 }, (_, i) => views(`after${i}`, 5));
  const afterStatuses: number[] = [];
  for (const events of after) {
    const result = await post(collector, events);
    afterStatuses.push(result.status);
    if (result.status === 202) events.forEach((e) => acknowledged.add(e.event_id));
  }
  t.same(
    afterStatuses.filter((s) => s !== 202),
    [],
    'every later request is accepted',
  );

  const inTopic = (await readTopic(topicName('events', ns.topicPrefix), { brokers: infra.kafkaBrokers })).map(
    (m) => (JSON.parse(m.value ?? '{}') as { event_id: string }).event_id,
  );
  const stored = new Set(inTopic);
  t.same(
    [...acknowledged].filter((id) => !stored.has(id)),
    [],
    `every acknowledged event is in Kafka (${acknowledged.size} acknowledged)`,
  );
  t.equal(collector.process.exitCode, null, 'the collector never crashed');
});

t.test('an item too large for Kafka is refused with 413 at the edge, and nothing else is hurt', async (t) => {
  const ns = testNamespace('prodbounditem');
  const collector = await startService({
    service: 'ingest',
    env: { ...ns.env, REC_INGEST_ROLE: 'collector', REC_INGEST_AUTH: 'disabled' },
  });
  t.teardown(() => collector.stop('SIGKILL'));
  const item = (id: string, attributes: Record<string, string[]>) => ({
    item_id: id,
    title: 'A title',
    category_path: ['Home'],
    price: 10,
    currency: 'EUR',
    availability: 'in_stock',
    updated_at: new Date().toISOString(),
    attributes,
  });
  // Valid by the contract (100 attributes of 50 values of 256 characters is allowed): ~1.3 MB.
  const huge = item(
    'huge',
    Object.fromEntries(
      Array.from({ length: 100 }, (_, a) => [`a${a}`, Array.from({ length: 50 }, () => 'z'.repeat(256))]),
    ),
  );
  const postItems = async (items: unknown[]) => {
    const response = await fetch(`${collector.url}/v1/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(items),
    });
    return { status: response.status, body: await response.text() };
  };
  const [refused, beside] = await Promise.all([postItems([huge]), postItems([item('small', {})])]);
  t.equal(refused.status, 413, 'the oversized item: 413');
  t.match(refused.body, /REC_ERR_PAYLOAD_TOO_LARGE/, 'with the error code');
  t.match(refused.body, /bytes/, 'saying the size and the maximum');
  t.equal(beside.status, 202, 'an item sent at the same time is accepted');
  t.equal((await postItems([item('later', {})])).status, 202, 'and so is a later one');
  const keys = (await readTopic(topicName('items', ns.topicPrefix), { brokers: infra.kafkaBrokers })).map(
    (m) => m.key,
  );
  t.same(keys.sort(), ['later', 'small'], 'the accepted items are in Kafka, the refused one is not');
});
