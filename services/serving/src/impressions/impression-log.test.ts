import t from 'tap';
import { createLogger } from '@recstream/logger';
import { createMetrics, type ServiceMetrics } from '@recstream/metrics';
import { createValidators, type EnrichedEvent } from '@recstream/schemas';
import { impressionEvent, type Impression } from './impression-event.js';
import { createImpressionLog } from './impression-log.js';

const validators = createValidators();
const logger = createLogger({ service: 'test', level: 'silent' });
const AT = new Date('2026-11-24T10:00:00.000Z');

const impression = (overrides: Partial<Impression> = {}): Impression => ({
  requestId: '0b6f3c5e-2f1d-4b7a-9d3e-1c2b3a4d5e6f',
  list: 'recommendations',
  userId: 'u-1',
  sessionId: 's-1',
  itemIds: ['sku-1', 'sku-2', 'sku-3'],
  experiment: 'diversity-1',
  variant: 'varied',
  ranker: 'blended',
  degraded: false,
  at: AT,
  ...overrides,
});

async function outcomes(metrics: ServiceMetrics): Promise<Record<string, number>> {
  const metric = await metrics.registry.getSingleMetric('rec_serving_impressions_total')?.get();
  return Object.fromEntries((metric?.values ?? []).map((v) => [String(v.labels['outcome']), v.value]));
}

/** A producer whose sends wait until the test releases or fails them. */
function heldProducer() {
  const sends: {
    topic: string;
    messages: { key: string; value: string }[];
    settle: (error?: Error) => void;
  }[] = [];
  return {
    sends,
    producer: {
      send: (topic: string, messages: { key: string; value: string }[]) =>
        new Promise<void>((resolve, reject) =>
          sends.push({
            topic,
            messages,
            settle: (error) => (error === undefined ? resolve() : reject(error)),
          }),
        ),
    },
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

t.test('an answer becomes an impression event in the contract, keyed by the shopper', (t) => {
  const verdict = impressionEvent(impression(), validators);
  if (!verdict.ok) throw new Error(JSON.stringify(verdict));
  t.same(verdict.event, {
    type: 'impression',
    event_id: 'imp:0b6f3c5e-2f1d-4b7a-9d3e-1c2b3a4d5e6f',
    user_id: 'u-1',
    session_id: 's-1',
    request_id: '0b6f3c5e-2f1d-4b7a-9d3e-1c2b3a4d5e6f',
    timestamp: AT.toISOString(),
    item_ids: ['sku-1', 'sku-2', 'sku-3'],
    list: 'recommendations',
    properties: { experiment: 'diversity-1', variant: 'varied', ranker: 'blended', degraded: false },
    schema_version: 1,
    received_at: AT.toISOString(),
    event_time: AT.toISOString(),
    source: 'serving',
  } satisfies EnrichedEvent);
  const outside = impressionEvent(
    impression({ experiment: undefined, variant: undefined, userId: undefined, anonymousId: 'a-1' }),
    validators,
  );
  t.match(outside, { ok: true, event: { anonymous_id: 'a-1', properties: { experiment: '', variant: '' } } });
  t.end();
});

t.test('what cannot be an event is refused with its reason', (t) => {
  t.same(impressionEvent(impression({ userId: undefined }), validators), { ok: false, reason: 'no_shopper' });
  t.same(impressionEvent(impression({ itemIds: [] }), validators), { ok: false, reason: 'empty' });
  t.match(impressionEvent(impression({ userId: 'not an id' }), validators), {
    ok: false,
    reason: 'invalid',
    problems: [{ field: '/user_id' }],
  });
  const long = impressionEvent(
    impression({ itemIds: Array.from({ length: 700 }, (_, i) => `sku-${i}`) }),
    validators,
  );
  t.match(
    long,
    { ok: true, event: { item_ids: { length: 500 } } },
    'a huge answer is logged up to the contract bound',
  );
  t.end();
});

t.test('impressions leave in batches while one produce is out, and every outcome is counted', async (t) => {
  const metrics = createMetrics('serving', { defaultMetrics: false });
  const { sends, producer } = heldProducer();
  const log = createImpressionLog({
    producer,
    topic: 'events',
    validators,
    metrics,
    logger,
    maxPending: 100,
  });

  log.record(impression({ requestId: 'r-1' }));
  await tick();
  t.equal(sends.length, 1, 'the first impression leaves at once');
  for (let i = 2; i <= 5; i += 1) log.record(impression({ requestId: `r-${i}` }));
  log.record(impression({ requestId: 'r-x', userId: undefined }));
  log.record(impression({ requestId: 'r-y', itemIds: [] }));
  log.record(impression({ requestId: 'r-z', sessionId: 'not an id' }));
  await tick();
  t.equal(sends.length, 1, 'the others wait for the first to be acknowledged');
  t.same(
    (await metrics.registry.getSingleMetric('rec_serving_impressions_pending')?.get())?.values[0]?.value,
    5,
  );

  sends[0]?.settle();
  await tick();
  t.equal(sends.length, 2);
  t.same(
    sends[1]?.messages.map((m) => (JSON.parse(m.value) as EnrichedEvent).request_id),
    ['r-2', 'r-3', 'r-4', 'r-5'],
    'then leave together, in order',
  );
  t.equal(sends[1]?.messages[0]?.key, 'u-1', 'keyed by shopper like every event');
  t.equal(sends[1]?.topic, 'events');
  sends[1]?.settle(new Error('kafka did not acknowledge'));
  await log.drain();
  t.same(await outcomes(metrics), {
    produced: 1,
    failed: 4,
    skipped_no_shopper: 1,
    skipped_empty: 1,
    invalid: 1,
  });
});

t.test('a full queue drops impressions and counts them; the answer never waits', async (t) => {
  const metrics = createMetrics('serving', { defaultMetrics: false });
  const { sends, producer } = heldProducer();
  const log = createImpressionLog({ producer, topic: 'events', validators, metrics, logger, maxPending: 3 });
  for (let i = 0; i < 10; i += 1) log.record(impression({ requestId: `r-${i}` }));
  await tick();
  t.same(await outcomes(metrics), { dropped: 7 });
  sends[0]?.settle();
  await tick();
  sends[1]?.settle();
  await log.drain();
  t.same(await outcomes(metrics), { dropped: 7, produced: 3 });
  log.record(impression({ requestId: 'r-after' }));
  await tick();
  t.equal(sends.length, 3, 'room again once acknowledged');
  sends[2]?.settle();
  await log.drain();
  t.same(await outcomes(metrics), { dropped: 7, produced: 4 });
});
