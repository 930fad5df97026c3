/**
 * The DLQ replay with the sink running, against the real Kafka and ClickHouse: records still refused
 * are parked again and the sink stores them in `failed_events` while the replay pages on. The
 * replay reads only what had failed when it started and ends; events the sink could not store keep
 * their write-key source and event time; a parked item deletion deletes the item again.
 */
import t from 'tap';
import { countParked, createPublisher, replayParked, type Publisher } from '@recstream/ingest/replay';
import { createValidators } from '@recstream/schemas';
import { readTopic, startService, testNamespace, testTopics, waitFor } from '@recstream/testing';
import { namespaceFixture } from '../support/namespace-fixture.js';

const ns = testNamespace('sinkreplay');
const topics = testTopics(ns);

function failedRow(position: string, at: string, fields: { step: string; source: string; payload: string }) {
  return {
    failed_at: at,
    source: fields.source,
    step: fields.step,
    reason: 'refused',
    error_code: 'REC_ERR_INVALID_INPUT',
    event_id: '',
    payload: fields.payload,
    dlq_position: position,
    failed_date: at.slice(0, 10),
  };
}

t.test('dlq replay with the sink storing its re-parks', async (t) => {
  const { clickhouse, producer, services } = await namespaceFixture(t, ns);
  const sink = await startService({
    service: 'ingest',
    env: { ...ns.env, REC_INGEST_ROLE: 'sink', REC_SINK_BATCH_DELAY_MS: '50' },
  });
  services.push(sink);

  const now = new Date();
  const minutesAgo = (minutes: number) =>
    new Date(now.getTime() - minutes * 60_000).toISOString().slice(0, 19).replace('T', ' ');
  const stillBad = Array.from({ length: 5 }, (_, i) =>
    failedRow(`dlq/0/${i}`, minutesAgo(30 - i), {
      step: 'validate',
      source: 'http:/v1/events',
      payload: JSON.stringify({ type: 'teleport', event_id: `bad-${i}`, user_id: 'u1' }),
    }),
  );
  const eventTime = new Date(now.getTime() - 3_600_000).toISOString();
  const sinkFailure = failedRow('dlq/1/0', minutesAgo(20), {
    step: 'sink',
    source: `${topics.events}/2/41`,
    payload: JSON.stringify({
      type: 'view',
      event_id: 'sent-without-time',
      user_id: 'u2',
      item_id: 'sku-1',
      schema_version: 1,
      received_at: eventTime,
      event_time: eventTime,
      source: 'web',
    }),
  });
  const deletion = failedRow('dlq/1/1', minutesAgo(19), {
    step: 'sink',
    source: `${topics.items}/0/7`,
    payload: JSON.stringify({ deleted_item_id: 'sku-gone' }),
  });
  const forgedDeletion = failedRow('dlq/1/2', minutesAgo(18), {
    step: 'validate',
    source: 'http:/v1/items',
    payload: JSON.stringify({ deleted_item_id: 'sku-kept' }),
  });
  await clickhouse.insert('failed_events', [...stillBad, sinkFailure, deletion, forgedDeletion]);
  const stored = async () =>
    Number((await clickhouse.query<{ n: string }>('SELECT count() AS n FROM failed_events'))[0]?.n);

  // The real publisher; each re-park is awaited until the sink has stored it, as a slow replay
  // over a large table would find it on its next page.
  const real = createPublisher(producer, topics);
  const publisher: Publisher = {
    ...real,
    async parkRefused(records, route, origin) {
      const before = await stored();
      await real.parkRefused(records, route, origin);
      await waitFor('the re-parks stored by the sink', async () =>
        (await stored()) >= before + records.length ? true : undefined,
      );
    },
  };
  const deps = {
    clickhouse,
    validators: createValidators(),
    publisher,
    clock: { maxFutureSkewMs: 300_000, maxPastAgeMs: 7 * 86_400_000 },
    pageSize: 2,
  };
  const since = new Date(now.getTime() - 3_600_000);
  t.equal(await countParked(clickhouse, { since }), 8);

  // Bounded by a limit so that a replay reading its own re-parks ends too.
  const report = await replayParked({ since, limit: 40 }, deps);
  t.match(
    report,
    { examined: 8, accepted: 2, refused: 6 },
    'the eight parked records, once each: no re-park is read again',
  );
  t.equal(await stored(), 8 + 6, 'each still-refused record parked again once');

  const events = (await readTopic(topics.events)).map(
    (m) => JSON.parse(m.value ?? 'null') as Record<string, unknown>,
  );
  t.match(
    events,
    [{ event_id: 'sent-without-time', source: 'web', event_time: eventTime }],
    'the sink failure keeps its write-key source and its event time',
  );
  const items = await readTopic(topics.items);
  t.same(
    items.map((m) => [m.key, m.value]),
    [['sku-gone', null]],
    'the parked deletion is sent again as a tombstone; a client record shaped like one is not',
  );

  const again = await replayParked({ since }, { ...deps, pageSize: 1000 });
  t.match(again, { examined: 8 }, 'a second replay skips the first one’s re-parks');
  const withReparks = await countParked(clickhouse, { since, includeReplayed: true });
  t.ok(withReparks >= 8 + 6, 'they can still be selected on purpose');
});
