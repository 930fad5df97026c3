import type { CatalogItem, ClickstreamEvent } from '@recstream/schemas';
import t from 'tap';
import { silentLogger } from '../log.js';
import type { BatchOutcome } from '../sender/ingest.client.js';
import { IngestUnavailableError } from '../sender/ingest.client.js';
import { sharedDataset } from '../replay/replay.test-support.js';
import { runReplay } from './replay.run.js';
import { runFailed, type TrafficSink } from './run.summary.js';
import { runSimulate } from './simulate.run.js';

function ok(size: number): BatchOutcome {
  return { kind: 'accepted', status: 202, sent: size, accepted: size, rejected: [], retries: 0 };
}

/** Records what would reach ingest, in order. */
function memorySink(): TrafficSink & {
  calls: ('items' | 'events')[];
  items: CatalogItem[];
  events: ClickstreamEvent[];
} {
  const calls: ('items' | 'events')[] = [];
  const items: CatalogItem[] = [];
  const events: ClickstreamEvent[] = [];
  return {
    calls,
    items,
    events,
    sendItems(batch) {
      calls.push('items');
      items.push(...batch);
      return Promise.resolve([ok(batch.length)]);
    },
    sendEvents(batch) {
      calls.push('events');
      events.push(...batch);
      return Promise.resolve(ok(batch.length));
    },
  };
}

const never = new AbortController().signal;

t.test('simulate sends the catalog first, then paced events until the duration is up', async (t) => {
  const sink = memorySink();
  const summary = await runSimulate(
    {
      seed: 42,
      runId: 'runtest',
      items: 300,
      users: 200,
      rate: 2000,
      durationMs: 250,
      batchSize: 50,
      flushIntervalMs: 1000,
      progressIntervalMs: 60_000,
    },
    { sink, logger: silentLogger, stop: never },
  );
  t.equal(sink.calls[0], 'items');
  t.equal(sink.items.length, 300);
  t.ok(sink.calls.slice(1).every((c) => c === 'events'));
  t.equal(summary.end, 'duration');
  t.ok(
    summary.counts.released > 100 && summary.counts.released <= 520,
    `${summary.counts.released} events in 0.25 s at 2000/s`,
  );
  t.equal(summary.counts.sent, summary.counts.released);
  t.equal(sink.events.length, summary.counts.released);
  t.ok(sink.events.every((e) => e.timestamp !== undefined && e.event_id.startsWith('e-runtest-')));
  t.notOk(runFailed(summary));
});

t.test('simulate reports ingest being down instead of hanging', async (t) => {
  const sink: TrafficSink = {
    sendItems: () => Promise.reject(new IngestUnavailableError('/v1/items', 8, 'ECONNREFUSED')),
    sendEvents: () => Promise.resolve(ok(0)),
  };
  const summary = await runSimulate(
    {
      seed: 1,
      runId: 'down',
      items: 10,
      users: 10,
      rate: 10,
      batchSize: 10,
      flushIntervalMs: 1000,
      progressIntervalMs: 60_000,
    },
    { sink, logger: silentLogger, stop: never },
  );
  t.equal(summary.end, 'ingest-unavailable');
  t.match(summary.error, /ECONNREFUSED/);
  t.ok(runFailed(summary));
});

t.test('replay sends the referenced items, then every event of the limited dataset', async (t) => {
  const sink = memorySink();
  const summary = await runReplay(
    {
      dataset: 'ml-100k',
      path: sharedDataset('ml-100k'),
      pace: { kind: 'rate', eventsPerSecond: 1e6 },
      limit: 500,
      batchSize: 100,
      flushIntervalMs: 1000,
      progressIntervalMs: 60_000,
      cartMinRating: 4,
    },
    { sink, logger: silentLogger, stop: never },
  );
  t.equal(summary.end, 'source-ended');
  t.equal(sink.calls[0], 'items');
  t.match(summary.details, { dataset: 'ml-100k', rows: 500 });
  const views = sink.events.filter((e) => e.type === 'view').length;
  t.equal(views, 500);
  t.equal(summary.counts.sent, sink.events.length);
  const known = new Set(sink.items.map((i) => i.item_id));
  t.ok(
    sink.events.every((e) => !('item_id' in e) || known.has(e.item_id)),
    'every event item was sent in the catalog',
  );
});

t.test('replay of a missing dataset fails with a clear message', async (t) => {
  await t.rejects(
    runReplay(
      {
        dataset: 'yoochoose',
        path: '/nonexistent/datasets/yoochoose-100k',
        pace: { kind: 'rate', eventsPerSecond: 10 },
        batchSize: 10,
        flushIntervalMs: 1000,
        progressIntervalMs: 60_000,
      },
      { sink: memorySink(), logger: silentLogger, stop: never },
    ),
    { message: /dataset yoochoose: \/nonexistent\/datasets\/yoochoose-100k not found.*--path/ },
  );
});
