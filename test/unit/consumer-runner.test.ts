/**
 * The consumer runner (@recstream/kafka) against a fake consumer: the delivery contract every
 * consumer of the product stands on, checked where the integration tests cannot reach (exact offsets
 * resolved, what the DLQ receives, backoff, stop and rebalance in the middle of a retry).
 *
 * - offsets are resolved only for the contiguous prefix of finished messages, in order; a retry, a
 *   throw, a missing result or a failed DLQ produce stops the prefix there and the handler gets the
 *   unfinished suffix again, never a later one;
 * - a parked message keeps its key, value and headers and says where it came from; one that no
 *   longer fits with the DLQ headers is cut to fit, so that it never stalls its partition;
 * - retries back off while nothing moves and start over after progress; heartbeats go on meanwhile;
 * - stop (or a rebalance) ends the retry loop, and what finished is still committed.
 * The ordering property is checked on generated batches (fast-check): for any outcomes, any order in
 * which the handler's work settles, any DLQ failures and any stop, no offset is resolved past an
 * unfinished message, and once everything finished every offset was resolved exactly once.
 * Timers are faked (node:test's mock timers), so backoff costs no wall-clock time.
 */
import { mock } from 'node:test';
import t, { type Test } from 'tap';
import fc from 'fast-check';
import type { ConsumerConfig, ConsumerRunConfig, EachBatchPayload, IHeaders, KafkaMessage } from 'kafkajs';
import {
  createConsumerRunner,
  MAX_DLQ_REASON_BYTES,
  MAX_MESSAGE_BYTES,
  messageBytes,
  type BatchHandler,
  type ConsumerRunner,
  type Kafka,
  type Message,
  type MessageResult,
  type ProducerHandle,
} from '@recstream/kafka';
import { createLogger } from '@recstream/logger';
import { createMetrics } from '@recstream/metrics';
import { DLQ_HEADERS } from '@recstream/schemas';

const TOPIC = 'events';
const DLQ_TOPIC = 'events-dlq';
const PARTITION = 3;
const FIRST_OFFSET = 100;

type Log = Record<string, unknown> & { msg: string; level: number };

/** A DLQ producer that refuses what the real one refuses (a message over MAX_MESSAGE_BYTES). */
interface FakeDlq extends ProducerHandle {
  readonly sent: Message[];
  /** Decides each send; the default accepts. */
  behaviour: (messages: Message[]) => Promise<void>;
}

function fakeDlq(): FakeDlq {
  const dlq: FakeDlq = {
    sent: [],
    behaviour: () => Promise.resolve(),
    async send(topic, messages) {
      if (topic !== DLQ_TOPIC) throw new Error(`DLQ send to ${topic}`);
      const over = messages.find((message) => messageBytes(message) > MAX_MESSAGE_BYTES);
      if (over !== undefined) throw new Error(`record of ${messageBytes(over)} bytes refused`);
      await dlq.behaviour(messages);
      dlq.sent.push(...messages);
    },
    connect: () => Promise.resolve(),
    disconnect: () => Promise.resolve(),
    connected: true,
  };
  return dlq;
}

interface Harness {
  readonly runner: ConsumerRunner;
  readonly consumerConfig: ConsumerConfig;
  readonly runConfig: ConsumerRunConfig;
  readonly logs: Log[];
  readonly metricsText: () => Promise<string>;
  emitJoin(): void;
  readonly disconnects: () => number;
}

async function startRunner(handler: BatchHandler, dlq: FakeDlq | undefined): Promise<Harness> {
  let consumerConfig: ConsumerConfig | undefined;
  let runConfig: ConsumerRunConfig | undefined;
  let disconnects = 0;
  const joinListeners: Array<() => void> = [];
  const consumer = {
    events: { GROUP_JOIN: 'consumer.group_join' },
    on(event: string, listener: () => void) {
      if (event === 'consumer.group_join') joinListeners.push(listener);
      return () => undefined;
    },
    connect: () => Promise.resolve(),
    subscribe: () => Promise.resolve(),
    run(config: ConsumerRunConfig) {
      runConfig = config;
      return Promise.resolve();
    },
    disconnect() {
      disconnects += 1;
      return Promise.resolve();
    },
  };
  const kafka = {
    consumer(config: ConsumerConfig) {
      consumerConfig = config;
      return consumer;
    },
  } as unknown as Kafka;
  const logs: Log[] = [];
  const logger = createLogger({
    service: 'test',
    level: 'debug',
    destination: { write: (line: string) => void logs.push(JSON.parse(line) as Log) },
  });
  const metrics = createMetrics('test', { defaultMetrics: false });
  const runner = createConsumerRunner({
    kafka,
    groupId: 'group-1',
    topics: [TOPIC],
    handler,
    ...(dlq === undefined ? {} : { dlq: { producer: dlq, topic: DLQ_TOPIC } }),
    logger,
    metrics,
  });
  await runner.start();
  if (consumerConfig === undefined || runConfig === undefined) throw new Error('consumer not run');
  return {
    runner,
    consumerConfig,
    runConfig,
    logs,
    metricsText: () => metrics.registry.metrics(),
    emitJoin: () => joinListeners.forEach((listener) => listener()),
    disconnects: () => disconnects,
  };
}

/** A message as kafkajs reads it from a record batch (with headers). */
type RecordMessage = KafkaMessage & { headers: IHeaders };

function message(offset: number, value: string | Buffer | null = `value-${offset}`): RecordMessage {
  return {
    key: Buffer.from(`key-${offset}`),
    value: typeof value === 'string' ? Buffer.from(value) : value,
    timestamp: '1767225600000',
    attributes: 0,
    offset: String(offset),
    headers: { 'rec-source': Buffer.from('web') },
  };
}

function messages(count: number): KafkaMessage[] {
  return Array.from({ length: count }, (_, i) => message(FIRST_OFFSET + i));
}

/** One eachBatch call's payload, recording what the runner does with it. */
interface Batch {
  readonly payload: EachBatchPayload;
  /** Offsets passed to resolveOffset, in call order. */
  readonly resolved: string[];
  /** The last resolved offset at each commitOffsetsIfNecessary. */
  readonly commits: Array<string | undefined>;
  heartbeats: number;
  running: boolean;
  stale: boolean;
  heartbeatFails: boolean;
  onResolve: (offset: string) => void;
}

function batchOf(batchMessages: KafkaMessage[], highWatermark: number): Batch {
  const state: Batch = {
    resolved: [],
    commits: [],
    heartbeats: 0,
    running: true,
    stale: false,
    heartbeatFails: false,
    onResolve: () => undefined,
    payload: undefined as unknown as EachBatchPayload,
  };
  const payload = {
    batch: {
      topic: TOPIC,
      partition: PARTITION,
      highWatermark: String(highWatermark),
      messages: batchMessages,
    },
    resolveOffset(offset: string) {
      state.onResolve(offset);
      state.resolved.push(offset);
    },
    heartbeat() {
      state.heartbeats += 1;
      return state.heartbeatFails ? Promise.reject(new Error('rebalance in progress')) : Promise.resolve();
    },
    commitOffsetsIfNecessary() {
      state.commits.push(state.resolved.at(-1));
      return Promise.resolve();
    },
    isRunning: () => state.running,
    isStale: () => state.stale,
  } as unknown as EachBatchPayload;
  return Object.assign(state, { payload });
}

/** Virtual time, advanced by `drive` with the mocked timers. */
let nowMs = 0;

function useFakeTimers(t: Test): void {
  mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
  nowMs = 0;
  t.teardown(() => mock.timers.reset());
}

/** Runs a promise to completion, letting microtasks settle and moving the clock by `stepMs`. */
async function drive<T>(promise: Promise<T>, stepMs = 50, limitMs = 600_000): Promise<T> {
  let settled = false;
  const watched = promise.finally(() => (settled = true));
  while (!settled) {
    await new Promise((resolve) => setImmediate(resolve));
    if (settled) break;
    if (nowMs >= limitMs) throw new Error(`not settled after ${limitMs} ms of fake time`);
    nowMs += stepMs;
    mock.timers.tick(stepMs);
  }
  return watched;
}

function runBatch(harness: Harness, batch: Batch): Promise<void> {
  const eachBatch = harness.runConfig.eachBatch;
  if (eachBatch === undefined) throw new Error('runner did not use eachBatch');
  return eachBatch(batch.payload);
}

const ok: MessageResult = { kind: 'ok' };
const retry = (error: unknown): MessageResult => ({ kind: 'retry', error });
const dlq = (reason: string): MessageResult => ({ kind: 'dlq', reason, step: 'validate', code: 'REC_ERR_X' });

/** A handler answering from a script of per-call answers (then all ok), recording its calls. */
function scripted(answers: Array<(pending: readonly KafkaMessage[]) => Promise<MessageResult[]>>) {
  const calls: Array<{ offsets: string[]; atMs: number }> = [];
  const handler: BatchHandler = (pending, context) => {
    if (context.topic !== TOPIC || context.partition !== PARTITION) throw new Error('wrong context');
    calls.push({ offsets: pending.map((m) => m.offset), atMs: nowMs });
    const answer = answers[calls.length - 1];
    return answer === undefined ? Promise.resolve(pending.map(() => ok)) : answer(pending);
  };
  return { handler, calls };
}

const each =
  (...results: MessageResult[]) =>
  () =>
    Promise.resolve(results);

/** A handler that answers the same for a message whenever it sees it (a poison message stays one). */
function byOffset(results: Record<string, MessageResult>) {
  const calls: string[][] = [];
  const handler: BatchHandler = (pending) => {
    calls.push(pending.map((m) => m.offset));
    return Promise.resolve(pending.map((m) => results[m.offset] ?? ok));
  };
  return { handler, calls };
}

t.test('every message ok: offsets resolved in order, committed once, lag measured', async (t) => {
  useFakeTimers(t);
  const { handler, calls } = scripted([]);
  const harness = await startRunner(handler, undefined);
  t.match(harness.consumerConfig, { groupId: 'group-1', allowAutoTopicCreation: false });
  t.match(harness.runConfig, { eachBatchAutoResolve: false, autoCommit: true });
  t.equal(harness.runner.joined, false, 'not joined before the group says so');
  harness.emitJoin();
  t.equal(harness.runner.joined, true);

  const batch = batchOf(messages(5), FIRST_OFFSET + 8);
  await drive(runBatch(harness, batch));
  t.same(calls, [{ offsets: ['100', '101', '102', '103', '104'], atMs: 0 }]);
  t.same(batch.resolved, ['100', '101', '102', '103', '104']);
  t.same(batch.commits, ['104']);
  const text = await harness.metricsText();
  t.match(text, /rec_test_kafka_messages_total\{topic="events",result="ok"\} 5/);
  t.match(text, /rec_test_kafka_consumer_lag_messages\{topic="events",partition="3"\} 3/);
});

t.test('a retry resolves the prefix before it and hands the handler the suffix again', async (t) => {
  useFakeTimers(t);
  const { handler, calls } = scripted([
    each(ok, { kind: 'drop', reason: 'tombstone' }, retry(new Error('clickhouse down')), ok, ok),
  ]);
  const harness = await startRunner(handler, undefined);
  const batch = batchOf(messages(5), FIRST_OFFSET + 5);
  await drive(runBatch(harness, batch));
  t.same(
    calls.map((call) => call.offsets),
    [
      ['100', '101', '102', '103', '104'],
      ['102', '103', '104'],
    ],
  );
  t.same(batch.resolved, ['100', '101', '102', '103', '104'], 'each offset resolved once, in order');
  t.ok(calls[1] !== undefined && calls[1].atMs >= 100, 'the retry waited (backoff)');
  t.ok(batch.heartbeats >= 1, 'heartbeat after the backoff');
  const retryLog = harness.logs.find((log) => log.msg === 'batch not finished, retrying');
  t.match(retryLog, { offset: '102', remaining: 3, err: 'clickhouse down' });
  const text = await harness.metricsText();
  t.match(text, /result="drop"\} 1/);
  t.match(text, /result="retry"\} 1/);
});

t.test('a handler that throws or returns too few results: nothing past them is resolved', async (t) => {
  useFakeTimers(t);
  const { handler, calls } = scripted([
    () => Promise.reject(new Error('handler bug')),
    each(ok, ok),
    () => Promise.resolve([]),
  ]);
  const harness = await startRunner(handler, undefined);
  const batch = batchOf(messages(4), FIRST_OFFSET + 4);
  await drive(runBatch(harness, batch));
  t.same(
    calls.map((call) => call.offsets),
    [
      ['100', '101', '102', '103'],
      ['100', '101', '102', '103'],
      ['102', '103'],
      ['102', '103'],
    ],
  );
  t.same(batch.resolved, ['100', '101', '102', '103']);
  const errors = harness.logs
    .filter((log) => log.msg === 'batch not finished, retrying')
    .map((log) => log.err);
  t.same(errors, [
    'handler bug',
    'handler returned fewer results than messages',
    'handler returned fewer results than messages',
  ]);
});

t.test(
  'a parked message keeps key, value and headers, says where it came from, and only then moves on',
  async (t) => {
    useFakeTimers(t);
    const dlqProducer = fakeDlq();
    let release: () => void = () => undefined;
    dlqProducer.behaviour = () => new Promise<void>((resolve) => (release = resolve));
    const { handler } = scripted([each(ok, dlq('price is not a number'), ok)]);
    const harness = await startRunner(handler, dlqProducer);
    const batch = batchOf(messages(3), FIRST_OFFSET + 3);
    const run = runBatch(harness, batch);
    // The DLQ has not confirmed yet: the parked message and everything after it stay unresolved.
    for (let i = 0; i < 20; i += 1) await new Promise((resolve) => setImmediate(resolve));
    t.same(batch.resolved, ['100'], 'not resolved before the DLQ confirmed');
    release();
    await drive(run);
    t.same(batch.resolved, ['100', '101', '102']);
    t.equal(dlqProducer.sent.length, 1);
    const parked = dlqProducer.sent[0];
    t.ok(parked);
    t.same(parked?.key, Buffer.from('key-101'));
    t.same(parked?.value, Buffer.from('value-101'));
    const headers = parked?.headers ?? {};
    t.same(headers['rec-source'], Buffer.from('web'), 'the original headers are kept');
    t.equal(headers[DLQ_HEADERS.reason], 'price is not a number');
    t.equal(headers[DLQ_HEADERS.step], 'validate');
    t.equal(headers[DLQ_HEADERS.code], 'REC_ERR_X');
    t.equal(headers[DLQ_HEADERS.source], `${TOPIC}/${PARTITION}/101`);
    t.match(String(headers[DLQ_HEADERS.at]), /^\d{4}-\d\d-\d\dT/);
    t.match(await harness.metricsText(), /result="dlq"\} 1/);
  },
);

t.test(
  'a failed DLQ produce is a retry, never an ack; no DLQ configured is never an ack either',
  async (t) => {
    useFakeTimers(t);
    const dlqProducer = fakeDlq();
    let failures = 2;
    dlqProducer.behaviour = () =>
      failures-- > 0 ? Promise.reject(new Error('kafka away')) : Promise.resolve();
    const { handler, calls } = scripted([
      each(ok, dlq('bad'), ok),
      each(dlq('bad'), ok),
      each(dlq('bad'), ok),
    ]);
    const harness = await startRunner(handler, dlqProducer);
    const batch = batchOf(messages(3), FIRST_OFFSET + 3);
    await drive(runBatch(harness, batch));
    t.same(
      calls.map((call) => call.offsets),
      [
        ['100', '101', '102'],
        ['101', '102'],
        ['101', '102'],
      ],
    );
    t.same(batch.resolved, ['100', '101', '102']);
    t.equal(dlqProducer.sent.length, 1, 'parked once, when the DLQ took it');

    const bare = byOffset({ '100': dlq('bad') });
    const unconfigured = await startRunner(bare.handler, undefined);
    const stuck = batchOf(messages(1), FIRST_OFFSET + 1);
    const run = runBatch(unconfigured, stuck);
    await drive(Promise.race([run, new Promise((resolve) => setTimeout(resolve, 30_000))]));
    t.same(stuck.resolved, [], 'a dlq result without a DLQ is not acknowledged');
    t.match(
      unconfigured.logs.find((log) => log.msg === 'batch not finished, retrying'),
      { err: /no DLQ is configured/ },
    );
    stuck.running = false;
    await unconfigured.runner.stop();
    await drive(run);
    t.same(stuck.commits, [undefined]);
  },
);

t.test('DLQ parking cut to size', async (t) => {
  useFakeTimers(t);
  const dlqProducer = fakeDlq();
  const huge = 'x'.repeat(MAX_MESSAGE_BYTES + 300_000);
  const longReason = `${'é'.repeat(MAX_DLQ_REASON_BYTES)} and more`;
  const bigKey = message(101, 'v');
  bigKey.key = Buffer.alloc(MAX_MESSAGE_BYTES, 'k');
  const bigHeaders = message(102, 'payload');
  bigHeaders.headers = { trace: Buffer.alloc(MAX_MESSAGE_BYTES, 'h') };
  const nullValue = message(103, null);
  nullValue.key = Buffer.alloc(MAX_MESSAGE_BYTES + 10, 'k');
  const batchMessages = [message(100, huge), bigKey, bigHeaders, nullValue, message(104)];
  const { handler, calls } = byOffset({
    '100': dlq(longReason),
    '101': dlq('bad key'),
    '102': dlq('bad headers'),
    '103': dlq('no value'),
  });
  const harness = await startRunner(handler, dlqProducer);
  const batch = batchOf(batchMessages, FIRST_OFFSET + 5);
  const run = runBatch(harness, batch);
  await drive(Promise.race([run, new Promise((resolve) => setTimeout(resolve, 60_000))]));
  t.equal(calls.length, 1, 'every message parked at the first attempt: nothing stalls the partition');
  t.same(batch.resolved, ['100', '101', '102', '103', '104']);
  t.equal(dlqProducer.sent.length, 4);
  for (const parked of dlqProducer.sent) {
    t.ok(messageBytes(parked) <= MAX_MESSAGE_BYTES, 'fits the producer limit');
    const reason = String(parked.headers?.[DLQ_HEADERS.reason]);
    t.ok(Buffer.byteLength(reason) <= MAX_DLQ_REASON_BYTES, 'reason within its bound');
    t.notMatch(reason, /\uFFFD/, 'reason cut on a character boundary');
    t.match(String(parked.headers?.[DLQ_HEADERS.source]), /^events\/3\/10\d$/);
  }
  const [first, second, third, fourth] = dlqProducer.sent;
  t.ok(first?.value !== undefined && first.value !== null && first.value.length > 0);
  t.ok(
    Buffer.from(huge)
      .subarray(0, (first?.value as Buffer).length)
      .equals(first?.value as Buffer),
    'the value kept is the start of the original',
  );
  t.same(first?.headers?.['rec-source'], Buffer.from('web'), 'headers kept when cutting the value is enough');
  t.match(
    String(second?.headers?.[DLQ_HEADERS.reason]),
    /^bad key; .*key cut from/,
    'the reason says what was cut',
  );
  t.match(String(third?.headers?.[DLQ_HEADERS.reason]), /^bad headers; 1 original headers dropped to fit/);
  t.same(third?.value, Buffer.from('payload'), 'the value kept whole when dropping the headers is enough');
  t.same(third?.key, Buffer.from('key-102'));
  t.match(String(fourth?.headers?.[DLQ_HEADERS.reason]), /^no value; .*key cut from/);
  batch.running = false;
  await harness.runner.stop();
  await drive(run);
});

t.test('retries back off while nothing moves, start over after progress, heartbeat meanwhile', async (t) => {
  useFakeTimers(t);
  const down = () => Promise.resolve([retry(new Error('down'))]);
  const { handler, calls } = scripted([
    down,
    down,
    down,
    down,
    () => Promise.resolve([ok, retry(new Error('down'))]),
    () => Promise.resolve([retry(new Error('down'))]),
  ]);
  const harness = await startRunner(handler, undefined);
  const batch = batchOf(messages(2), FIRST_OFFSET + 2);
  batch.heartbeatFails = true;
  await drive(runBatch(harness, batch), 10);
  const waits = calls.slice(1).map((call, i) => call.atMs - (calls[i]?.atMs ?? 0));
  // backoffDelayMs(attempt, 200, 10_000) lies in [ceiling/2, ceiling], ceiling = 200·2^attempt.
  // The wait right after progress is still the last one's; the next starts over.
  const ceilings = [200, 400, 800, 1600, 3200, 200];
  t.equal(waits.length, ceilings.length);
  waits.forEach((wait, i) => {
    const ceiling = ceilings[i] ?? 0;
    t.ok(
      wait >= ceiling / 2 && wait <= ceiling + 20,
      `wait ${i} of ${wait} ms within [${ceiling / 2}, ${ceiling}]`,
    );
  });
  t.same(batch.resolved, ['100', '101']);
  t.ok(batch.heartbeats >= calls.length - 1, 'a heartbeat after each backoff, failures ignored');
});

t.test('a slow handler: the runner heartbeats while it works', async (t) => {
  useFakeTimers(t);
  const { handler } = scripted([() => new Promise((resolve) => setTimeout(() => resolve([ok]), 10_000))]);
  const harness = await startRunner(handler, undefined);
  const batch = batchOf(messages(1), FIRST_OFFSET + 1);
  batch.heartbeatFails = true;
  await drive(runBatch(harness, batch), 100);
  t.ok(batch.heartbeats >= 3, `${batch.heartbeats} heartbeats in 10 s`);
  const before = batch.heartbeats;
  mock.timers.tick(30_000);
  t.equal(batch.heartbeats, before, 'the heartbeat stops with the batch');
});

t.test(
  'stop during a backoff: the loop ends, the finished prefix is committed, nothing more runs',
  async (t) => {
    useFakeTimers(t);
    const { handler, calls } = scripted([
      each(ok, retry(new Error('down')), ok),
      each(retry(new Error('down')), ok),
      each(retry(new Error('down')), ok),
      each(retry(new Error('down')), ok),
    ]);
    const harness = await startRunner(handler, undefined);
    const batch = batchOf(messages(3), FIRST_OFFSET + 3);
    const run = runBatch(harness, batch);
    await drive(Promise.race([run, new Promise((resolve) => setTimeout(resolve, 500))]));
    const callsAtStop = calls.length;
    t.ok(callsAtStop >= 2 && callsAtStop <= 3);
    batch.running = false;
    await harness.runner.stop();
    t.equal(harness.disconnects(), 1);
    const before = nowMs;
    await drive(run, 1);
    t.ok(nowMs - before <= 5, 'the backoff was cut short by stop');
    t.equal(calls.length, callsAtStop, 'no attempt after stop');
    t.same(batch.resolved, ['100']);
    t.same(batch.commits, ['100'], 'what finished is committed');
  },
);

t.test('a rebalance (stale batch) ends the retry loop without running the suffix again', async (t) => {
  useFakeTimers(t);
  const { handler, calls } = scripted([
    (pending) => {
      batch.stale = true;
      return Promise.resolve(pending.map((_, i) => (i < 2 ? ok : retry(new Error('down')))));
    },
  ]);
  const harness = await startRunner(handler, undefined);
  const batch = batchOf(messages(4), FIRST_OFFSET + 4);
  await drive(runBatch(harness, batch));
  t.equal(calls.length, 1);
  t.same(batch.resolved, ['100', '101']);
  t.same(batch.commits, ['101']);
});

// ---- the ordering property -----------------------------------------------------------------------

type Step = 'ok' | 'drop' | 'dlq' | 'dlq-fails' | 'retry' | 'missing';

interface Attempt {
  /** What the handler answers per pending message (cycled when shorter than the batch). */
  readonly steps: readonly Step[];
  /** How many microtask turns each message's work takes: the order in which they settle. */
  readonly turns: readonly number[];
  readonly throws: boolean;
}

const attemptArb: fc.Arbitrary<Attempt> = fc.record({
  steps: fc.array(fc.constantFrom<Step>('ok', 'ok', 'drop', 'dlq', 'dlq-fails', 'retry', 'missing'), {
    minLength: 1,
    maxLength: 12,
  }),
  turns: fc.array(fc.nat({ max: 6 }), { minLength: 1, maxLength: 12 }),
  throws: fc.boolean(),
});

const scenarioArb = fc.record({
  size: fc.integer({ min: 1, max: 12 }),
  attempts: fc.array(attemptArb, { maxLength: 8 }),
  /** Stop the consumer after this many handler calls (undefined: run until everything finished). */
  stopAfter: fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }),
});

t.test('property: no offset is ever resolved past an unfinished message', async (t) => {
  useFakeTimers(t);
  await fc.assert(
    fc.asyncProperty(scenarioArb, async (scenario) => {
      const finished = new Set<string>();
      const failures: string[] = [];
      const dlqProducer = fakeDlq();
      let dlqFails = new Set<string>();
      dlqProducer.behaviour = (parked) => {
        const source = String(parked[0]?.headers?.[DLQ_HEADERS.source]);
        const offset = source.split('/').at(-1) ?? '';
        if (dlqFails.has(offset)) return Promise.reject(new Error('DLQ unavailable'));
        finished.add(offset);
        return Promise.resolve();
      };
      const batchMessages = messages(scenario.size);
      const batch = batchOf(batchMessages, FIRST_OFFSET + scenario.size);
      let handlerCalls = 0;
      let expectedNext = 0;
      const handler: BatchHandler = async (pending) => {
        handlerCalls += 1;
        if (pending[0]?.offset !== String(FIRST_OFFSET + expectedNext))
          failures.push(
            `handler got ${pending[0]?.offset}, first unfinished is ${FIRST_OFFSET + expectedNext}`,
          );
        const attempt = scenario.attempts[handlerCalls - 1];
        if (scenario.stopAfter !== undefined && handlerCalls >= scenario.stopAfter) batch.running = false;
        if (attempt === undefined) {
          pending.forEach((m) => finished.add(m.offset));
          return pending.map(() => ok);
        }
        dlqFails = new Set();
        const results: MessageResult[] = [];
        let cut = pending.length;
        // Each message's work settles after its own number of turns: any completion order.
        await Promise.all(
          pending.map(async (m, i) => {
            const step = attempt.steps[i % attempt.steps.length] ?? 'ok';
            for (let turn = 0; turn < (attempt.turns[i % attempt.turns.length] ?? 0); turn += 1)
              await Promise.resolve();
            if (step === 'ok' || step === 'drop') finished.add(m.offset);
            if (step === 'dlq-fails') dlqFails.add(m.offset);
            if (step === 'missing') cut = Math.min(cut, i);
            results[i] =
              step === 'ok'
                ? ok
                : step === 'drop'
                  ? { kind: 'drop', reason: 'ignored' }
                  : step === 'retry'
                    ? retry(new Error('down'))
                    : dlq('bad');
          }),
        );
        if (attempt.throws) throw new Error('handler failed');
        return results.slice(0, cut);
      };
      batch.onResolve = (offset) => {
        const index = Number(offset) - FIRST_OFFSET;
        if (index !== expectedNext)
          failures.push(`resolved ${offset}, expected ${FIRST_OFFSET + expectedNext}`);
        if (!finished.has(offset)) failures.push(`resolved unfinished ${offset}`);
        expectedNext = index + 1;
      };
      const harness = await startRunner(handler, dlqProducer);
      const run = runBatch(harness, batch);
      if (scenario.stopAfter !== undefined) {
        await drive(Promise.race([run, new Promise((resolve) => setTimeout(resolve, 60_000))]), 500);
        await harness.runner.stop();
      }
      await drive(run, 500);
      const committed = batch.commits.at(-1);
      const firstUnfinished = batchMessages.find((m) => !finished.has(m.offset))?.offset;
      if (
        committed !== undefined &&
        firstUnfinished !== undefined &&
        Number(committed) >= Number(firstUnfinished)
      )
        failures.push(`committed ${committed} past unfinished ${firstUnfinished}`);
      if (batch.commits.length !== 1) failures.push(`${batch.commits.length} commits`);
      if (batch.running && batch.resolved.length !== scenario.size)
        failures.push(`ran to the end but resolved ${batch.resolved.length} of ${scenario.size}`);
      if (!batch.running && handlerCalls > (scenario.stopAfter ?? Infinity))
        failures.push(`handler ran ${handlerCalls} times, stopped after ${scenario.stopAfter}`);
      if (failures.length > 0) throw new Error(failures.join('; '));
    }),
    { numRuns: 300, seed: 21 },
  );
  t.pass('300 generated batches');
});
