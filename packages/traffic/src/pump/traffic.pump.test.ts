import type { ClickstreamEvent } from '@recstream/schemas';
import t from 'tap';
import { silentLogger, type TrafficLogger } from '../log.js';
import { FixedRatePacer, TimeScalePacer } from '../rate/rate-limiter.js';
import { IngestUnavailableError, type BatchOutcome } from '../sender/ingest.client.js';
import { pumpEvents, type EventSink, type PacedEvent, type PumpDeps } from './traffic.pump.js';
import { TrafficStats } from './traffic.stats.js';

const START = Date.parse('2025-03-01T12:00:00.000Z');

function view(n: number): ClickstreamEvent {
  return { event_id: `e-${n}`, type: 'view', anonymous_id: 'a-1', item_id: `sku-${n % 7}` };
}

function* endless(originalStepMs?: number): Generator<PacedEvent> {
  for (let n = 1; ; n += 1)
    yield { event: view(n), originalTsMs: originalStepMs === undefined ? undefined : n * originalStepMs };
}

function* finite(count: number): Generator<PacedEvent> {
  for (let n = 1; n <= count; n += 1) yield { event: view(n) };
}

/** A sink that records batches and accepts everything; an optional hook sees each batch first. */
function recordingSink(
  hook?: (batch: readonly ClickstreamEvent[], index: number) => void,
): EventSink & { batches: ClickstreamEvent[][] } {
  const batches: ClickstreamEvent[][] = [];
  return {
    batches,
    sendEvents(events) {
      hook?.(events, batches.length);
      batches.push([...events]);
      const outcome: BatchOutcome = {
        kind: 'accepted',
        status: 202,
        sent: events.length,
        accepted: events.length,
        rejected: [],
        retries: 0,
      };
      return Promise.resolve(outcome);
    },
  };
}

/** Virtual time: sleeping advances the clock instantly. */
function virtualTime(): Pick<PumpDeps, 'clock' | 'sleep'> & { now: () => number } {
  let now = START;
  return {
    now: () => now,
    clock: () => now,
    sleep: (ms: number, signal?: AbortSignal) => {
      if (signal?.aborted !== true) now += ms;
      return Promise.resolve();
    },
  };
}

const never = new AbortController().signal;

t.test('events are paced, stamped with their release time, batched in order', async (t) => {
  const time = virtualTime();
  const sink = recordingSink();
  const stats = new TrafficStats();
  const result = await pumpEvents(
    finite(250),
    { sink, pacer: new FixedRatePacer(100), stats, logger: silentLogger, ...time },
    {
      batchSize: 100,
      flushIntervalMs: 60_000,
      stop: never,
    },
  );
  t.equal(result.end, 'source-ended');
  t.same(
    sink.batches.map((b) => b.length),
    [100, 100, 50],
  );
  const sent = sink.batches.flat();
  t.same(
    sent.map((e) => e.event_id),
    Array.from({ length: 250 }, (_v, i) => `e-${i + 1}`),
    'order kept',
  );
  t.equal(sent[0]?.timestamp, new Date(START).toISOString());
  t.equal(sent[249]?.timestamp, new Date(START + 2490).toISOString(), '100/s: the 250th leaves at 2.49 s');
  t.match(stats.counts, { released: 250, sent: 250, accepted: 250, rejected: 0, batches: 3 });
});

t.test('a duration stops an endless source', async (t) => {
  const time = virtualTime();
  const sink = recordingSink();
  const stats = new TrafficStats();
  const result = await pumpEvents(
    endless(),
    { sink, pacer: new FixedRatePacer(50), stats, logger: silentLogger, ...time },
    {
      batchSize: 20,
      flushIntervalMs: 1000,
      stop: never,
      durationMs: 2000,
    },
  );
  t.equal(result.end, 'duration');
  t.equal(stats.counts.released, 100, '50/s for 2 s');
  t.equal(stats.counts.sent, 100, 'everything released was sent');
  t.equal(time.now() - START, 2000);
});

t.test('on stop the batch being filled is still sent', async (t) => {
  const time = virtualTime();
  const stop = new AbortController();
  const sink = recordingSink((_batch, index) => {
    if (index === 1) stop.abort();
  });
  const stats = new TrafficStats();
  const result = await pumpEvents(
    endless(),
    { sink, pacer: new FixedRatePacer(1000), stats, logger: silentLogger, ...time },
    {
      batchSize: 10,
      flushIntervalMs: 1000,
      stop: stop.signal,
    },
  );
  t.equal(result.end, 'stopped');
  t.equal(stats.counts.released, stats.counts.sent, 'no released event left behind');
  t.ok(sink.batches.length >= 2);
});

t.test('a slow trickle is flushed by time, not held until the batch is full', async (t) => {
  const time = virtualTime();
  const sink = recordingSink();
  await pumpEvents(
    finite(5),
    { sink, pacer: new FixedRatePacer(1), stats: new TrafficStats(), logger: silentLogger, ...time },
    {
      batchSize: 100,
      flushIntervalMs: 1500,
      stop: never,
    },
  );
  t.ok(sink.batches.length >= 3, `${sink.batches.length} batches for 5 events at 1/s`);
  t.equal(sink.batches.flat().length, 5);
});

t.test('replay pacing follows original gaps, sped up', async (t) => {
  const time = virtualTime();
  const sink = recordingSink();
  await pumpEvents(
    (function* () {
      let n = 0;
      for (const g of endless(60_000)) {
        if ((n += 1) > 4) return;
        yield g;
      }
    })(),
    { sink, pacer: new TimeScalePacer(60, 10_000), stats: new TrafficStats(), logger: silentLogger, ...time },
    { batchSize: 100, flushIntervalMs: 10_000, stop: never },
  );
  const stamps = sink.batches.flat().map((e) => Date.parse(e.timestamp ?? '') - START);
  t.same(stamps, [0, 1000, 2000, 3000], 'a minute apart originally, a second apart at 60x');
});

t.test('when ingest stays unavailable the pump stops and counts what was not delivered', async (t) => {
  const time = virtualTime();
  const errors: unknown[] = [];
  const logger: TrafficLogger = { ...silentLogger, error: (facts) => errors.push(facts) };
  const sink: EventSink = {
    sendEvents: (events) =>
      events[0]?.event_id === 'e-1'
        ? Promise.resolve({
            kind: 'accepted',
            status: 202,
            sent: events.length,
            accepted: events.length,
            rejected: [],
            retries: 2,
          })
        : Promise.reject(new IngestUnavailableError('/v1/events', 8, 'HTTP 503')),
  };
  const stats = new TrafficStats();
  const result = await pumpEvents(
    endless(),
    { sink, pacer: new FixedRatePacer(1000), stats, logger, ...time },
    {
      batchSize: 10,
      flushIntervalMs: 1000,
      stop: never,
    },
  );
  t.equal(result.end, 'ingest-unavailable');
  t.type(result.error, IngestUnavailableError);
  t.equal(stats.counts.sent, 10);
  t.equal(stats.counts.retried, 2);
  t.equal(
    stats.counts.released,
    stats.counts.sent + stats.counts.unsent,
    'every released event is sent or counted unsent',
  );
  t.equal(errors.length, 1);
});

t.test('one batch in flight at a time, and rejections are logged with the event id', async (t) => {
  let inFlight = 0;
  let maxInFlight = 0;
  const warnings: unknown[] = [];
  const sink: EventSink = {
    async sendEvents(events) {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 2));
      inFlight -= 1;
      return {
        kind: 'accepted',
        status: 202,
        sent: events.length,
        accepted: events.length - 1,
        rejected: [{ index: 0, problems: [{ field: '/item_id', reason: 'unknown' }] }],
        retries: 0,
      };
    },
  };
  const stats = new TrafficStats();
  await pumpEvents(
    finite(50),
    {
      sink,
      pacer: new FixedRatePacer(1e6),
      stats,
      logger: { ...silentLogger, warn: (facts) => warnings.push(facts) },
    },
    {
      batchSize: 10,
      flushIntervalMs: 1000,
      stop: never,
    },
  );
  t.equal(maxInFlight, 1);
  t.match(stats.counts, { sent: 50, accepted: 45, rejected: 5 });
  t.match(warnings[0], { event_id: 'e-1', problems: [{ field: '/item_id' }] });
});
