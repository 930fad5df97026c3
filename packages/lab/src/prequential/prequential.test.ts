import t from 'tap';
import {
  ItemIndex,
  loadTensorFlow,
  resolveSequenceHyperParameters,
  SequenceRecommender,
} from '@recstream/models';
import { trainInitialModel } from './initial-model.js';
import { prequentialCases, type StreamEvent } from './prequential-cases.js';
import { pairedBootstrap, prequentialReport } from './prequential-report.js';
import { runPrequential, updateSequences } from './prequential.js';
import { scoreCases } from './score-cases.js';
import { scoreByVersion } from './versioned-scoring.js';

const tf = loadTensorFlow();
const hyper = {
  maxLength: 6,
  hiddenDim: 16,
  blocks: 1,
  heads: 1,
  negatives: 16,
  batchSize: 32,
  dropout: 0.1,
  learningRate: 0.01,
  maxEpochs: 30,
  useAttributes: false,
} as const;

const at = (minute: number): number => Date.UTC(2026, 0, 1) + minute * 60_000;

/**
 * Shoppers walking a chain of items prefix-0 → prefix-1 → …: `length` steps each, interleaved in
 * time (step by step across shoppers), from minute `start`.
 */
function chainStream(options: {
  users: number;
  items: number;
  length: number;
  itemPrefix: string;
  userPrefix: string;
  start: number;
}): StreamEvent[] {
  const events: StreamEvent[] = [];
  for (let step = 0; step < options.length; step += 1)
    for (let u = 0; u < options.users; u += 1)
      events.push({
        user: `${options.userPrefix}${u}`,
        item: `${options.itemPrefix}${((u * 3) % options.items) + step}`,
        timeMs: at(options.start + events.length),
      });
  return events;
}

t.test('cases: next events with a history, repeats and first events left out, bad streams refused', (t) => {
  const prefix: StreamEvent[] = [{ user: 'a', item: 'x', timeMs: at(0) }];
  const stream: StreamEvent[] = [
    { user: 'a', item: 'y', timeMs: at(1) },
    { user: 'b', item: 'x', timeMs: at(2) }, // b's first event: nothing to rank from
    { user: 'a', item: 'x', timeMs: at(3) }, // a repeat: masked, never a case
    { user: 'b', item: 'z', timeMs: at(3) },
    { user: 'a', item: 'w', timeMs: at(4) },
  ];
  const cases = prequentialCases(prefix, stream, 2);
  t.same(
    cases.map((c) => [c.position, c.user, c.history, c.target]),
    [
      [0, 'a', ['x'], 'y'],
      [3, 'b', ['x'], 'z'],
      [4, 'a', ['y', 'x'], 'w'],
    ],
    'history = the last maxLength items before the event, prefix included',
  );
  t.throws(
    () => prequentialCases([], [stream[1] as StreamEvent, stream[0] as StreamEvent], 2),
    /event 1 is older than the one before it/,
  );
  t.throws(() => prequentialCases([], [{ user: '', item: 'x', timeMs: 0 }], 2), /event 0 has an empty user/);
  t.throws(() => prequentialCases([], stream, 0), /maxLength must be a positive integer/);
  t.end();
});

t.test(
  'update sequences: context is the history before the new events; replay leaves their shoppers out',
  (t) => {
    const histories = new Map([
      ['a', ['1', '2', '3', '4']],
      ['b', ['5']],
      ['c', ['6', '7', '8']],
      ['d', ['9', '10']],
    ]);
    const pending: StreamEvent[] = [
      { user: 'a', item: '3', timeMs: 1 },
      { user: 'b', item: '5', timeMs: 2 },
      { user: 'a', item: '4', timeMs: 3 },
    ];
    const { sequences, replay } = updateSequences(pending, histories, 1, 5, 1);
    t.same(sequences, [
      { context: ['2'], learn: ['3', '4'] },
      { context: [], learn: ['5'] },
    ]);
    t.same(
      replay.map((s) => s.learn).sort(),
      [
        ['7', '8'],
        ['9', '10'],
      ],
      'the other shoppers, last maxLength + 1 items, all targets',
    );
    t.equal(updateSequences(pending, histories, 1, 1, 1).replay.length, 1, 'at most replayUsers');
    t.end();
  },
);

t.test('scoring: full ranking with the history masked; what the model does not know is a miss', async (t) => {
  const index = new ItemIndex(['a', 'b', 'c']);
  // Scores: c > a > b for every query.
  const model = {
    numItems: 3,
    scoreAll: (queries: readonly unknown[]) =>
      Promise.resolve(Float32Array.from({ length: queries.length * 3 }, (_, i) => [2, 1, 3][i % 3] ?? 0)),
  };
  const base = { user: 'u', timeMs: 0 };
  const scores = await scoreCases(
    model,
    index,
    [
      { ...base, position: 0, history: ['c'], target: 'a' }, // c masked: a is first
      { ...base, position: 1, history: ['a'], target: 'b' }, // second of b, c
      { ...base, position: 2, history: ['a'], target: 'new' },
      { ...base, position: 3, history: ['unknown'], target: 'a' },
    ],
    1,
  );
  t.same([...scores.hit], [1, 0, 0, 0]);
  t.same([...scores.ndcg], [1, 0, 0, 0]);
  t.same([...scores.unknownTarget], [0, 0, 1, 0], 'a target outside the id map is flagged');
  const two = await scoreCases(model, index, [{ ...base, position: 0, history: ['a'], target: 'b' }], 2);
  t.equal(two.ndcg[0], 1 / Math.log2(3), 'rank 2 → 1/log2(3)');

  const versions = await scoreByVersion(
    [
      { ...base, position: 0, history: ['c'], target: 'a' },
      { ...base, position: 1, history: ['c'], target: 'a' },
    ],
    ['v1', 'v2'],
    (version) =>
      Promise.resolve({
        model,
        // v1 does not know `a`.
        index: version === 'v1' ? new ItemIndex(['x', 'b', 'c']) : index,
        dispose: () => undefined,
      }),
    1,
  );
  t.same([...versions.hit], [0, 1], 'each case scored by its own version');
});

t.test('report: paired bootstrap and windows', (t) => {
  const n = 200;
  const positions = Array.from({ length: n }, (_, i) => i);
  const equal = {
    hit: new Float64Array(n).fill(1),
    ndcg: new Float64Array(n).fill(0.5),
    unknownTarget: new Uint8Array(n),
  };
  const options = { windows: 4, resamples: 200, confidence: 0.95, seed: 1 };
  const same = prequentialReport({ k: 10, online: equal, frozen: equal }, positions, n, options);
  t.same(same.overall.difference.ndcg, { mean: 0, low: 0, high: 0 });
  t.equal(same.overall.verdict, 'no-clear-difference');
  t.same(
    same.windows.map((w) => [w.from, w.to, w.cases]),
    [
      [0, 50, 50],
      [50, 100, 50],
      [100, 150, 50],
      [150, 200, 50],
    ],
  );
  t.equal(same.newItems, undefined);

  // Online hits every other case the frozen arm misses, from the second half on.
  const better = {
    hit: Float64Array.from(positions, (i) => (i >= 100 && i % 2 === 0 ? 1 : 0)),
    ndcg: Float64Array.from(positions, (i) => (i >= 100 && i % 2 === 0 ? 1 : 0)),
    unknownTarget: new Uint8Array(n),
  };
  const none = {
    hit: new Float64Array(n),
    ndcg: new Float64Array(n),
    unknownTarget: Uint8Array.from(positions, (i) => (i >= 100 ? 1 : 0)),
  };
  const report = prequentialReport({ k: 10, online: better, frozen: none }, positions, n, options);
  t.equal(report.overall.online.hr, 0.25);
  t.equal(report.overall.difference.ndcg.mean, 0.25);
  t.ok(
    report.overall.difference.ndcg.low > 0.15 && report.overall.difference.ndcg.high < 0.35,
    JSON.stringify(report.overall.difference),
  );
  t.equal(report.overall.verdict, 'online-better');
  t.same(
    report.windows.map((w) => w.verdict),
    ['no-clear-difference', 'no-clear-difference', 'online-better', 'online-better'],
  );
  t.equal(report.newItems?.cases, 100);
  t.equal(report.newItems?.online.hr, 0.5);
  const worse = prequentialReport({ k: 10, online: none, frozen: better }, positions, n, options);
  t.equal(worse.overall.verdict, 'frozen-better', 'a losing online arm is reported as such');

  const interval = pairedBootstrap([1, 0, 1, 0], [0, 0, 0, 0], [0, 1, 2, 3], {
    resamples: 500,
    confidence: 0.9,
    seed: 2,
  });
  t.ok(interval.low <= 0.5 && interval.high >= 0.5 && interval.low >= 0 && interval.high <= 1);
  t.throws(() => prequentialReport({ k: 10, online: equal, frozen: equal }, [], 0, options), /no cases/);
  t.end();
});

t.test('online learning beats the frozen model on a stream that moves to new items', async (t) => {
  // The prefix: 30 shoppers on chain A. The stream: the same shoppers, then new ones, move to chain B,
  // whose items the initial model has never seen.
  const prefix = chainStream({ users: 30, items: 12, length: 8, itemPrefix: 'a', userPrefix: 'u', start: 0 });
  const stream = [
    ...chainStream({ users: 30, items: 12, length: 8, itemPrefix: 'b', userPrefix: 'u', start: 1000 }),
    ...chainStream({ users: 20, items: 12, length: 8, itemPrefix: 'b', userPrefix: 'n', start: 2000 }),
  ];
  const initial = await trainInitialModel(prefix, { tf, hyper, seed: 5 });
  t.teardown(() => initial.model.dispose());
  const before = await initial.model.scoreAll([{ user: 0, history: Int32Array.of(0, 1) }]);

  const progress: number[] = [];
  const result = await runPrequential(
    { tf, initial: initial.model, itemIds: initial.itemIds, prefix, stream },
    {
      cadence: { everyEvents: 60 },
      epochs: 3,
      replayUsers: 8,
      seed: 11,
      onProgress: (done) => progress.push(done),
    },
  );
  t.equal(result.updates.length, Math.ceil(stream.length / 60) - 1, 'an update every 60 events');
  t.ok(result.updates.every((u) => u.events === 60));
  t.ok((result.updates[0]?.newItems ?? 0) > 0, 'new items entered the online model');
  t.equal(progress.at(-1), stream.length);
  t.same(
    await initial.model.scoreAll([{ user: 0, history: Int32Array.of(0, 1) }]),
    before,
    'the frozen model was never touched',
  );

  const positions = result.cases.map((c) => c.position);
  const report = prequentialReport(result, positions, stream.length, {
    windows: 4,
    resamples: 300,
    confidence: 0.95,
    seed: 3,
  });
  t.equal(report.overall.frozen.hr, 0, 'the frozen model cannot rank items it never saw');
  t.equal(report.newItems?.cases, report.overall.cases, 'every stream target is new to it');
  t.ok(report.overall.online.hr > 0.3, `online HR@10 ${report.overall.online.hr}`);
  t.equal(report.overall.verdict, 'online-better');
  t.ok(
    (report.windows.at(-1)?.online.ndcg ?? 0) > (report.windows[0]?.online.ndcg ?? 0),
    'and it improves as it learns',
  );
});

t.test('an event-time cadence, and bad settings refused', async (t) => {
  const prefix = chainStream({ users: 6, items: 6, length: 4, itemPrefix: 'a', userPrefix: 'u', start: 0 });
  const stream = chainStream({ users: 6, items: 6, length: 4, itemPrefix: 'a', userPrefix: 'u', start: 100 });
  const model = SequenceRecommender.create(tf, resolveSequenceHyperParameters(hyper), { numItems: 9 }, 1);
  t.teardown(() => model.dispose());
  const itemIds = Array.from({ length: 9 }, (_, i) => `a${i}`);
  const input = { tf, initial: model, itemIds, prefix, stream };
  // One event a minute: an update every 10 minutes of event time.
  const result = await runPrequential(input, {
    cadence: { everyMs: 10 * 60_000 },
    epochs: 1,
    replayUsers: 2,
    seed: 1,
  });
  t.same(
    result.updates.map((u) => u.atPosition),
    [10, 20],
  );
  await t.rejects(
    runPrequential(input, { cadence: {}, epochs: 1, replayUsers: 0, seed: 1 }),
    /needs everyEvents/,
  );
  await t.rejects(
    runPrequential(input, { cadence: { everyEvents: 0 }, epochs: 1, replayUsers: 0, seed: 1 }),
    /everyEvents must be a positive integer/,
  );
  await t.rejects(
    runPrequential(
      { ...input, itemIds: ['a0'] },
      { cadence: { everyEvents: 5 }, epochs: 1, replayUsers: 0, seed: 1 },
    ),
    /id map has 1 items/,
  );
  await t.rejects(
    runPrequential(
      { ...input, stream: [] },
      { cadence: { everyEvents: 5 }, epochs: 1, replayUsers: 0, seed: 1 },
    ),
    /stream is empty/,
  );
});
