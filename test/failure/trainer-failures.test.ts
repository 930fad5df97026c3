/**
 * The trainer when things go wrong, against the real ClickHouse and Redis: a worker killed
 * between training and saving resumes from the watermark and learns the same events exactly
 * once; ClickHouse unreachable during a job is retried with backoff and then fails cleanly, kept
 * in the failed set, with the live version untouched; a bad payload and a corrupt artifact fail at
 * once as unrecoverable, and the corrupt version never goes live.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createClickHouse, type ClickHouse } from '@recstream/clickhouse';
import { createQueueRedis } from '@recstream/redis';
import {
  createTestDatabase,
  deleteTestKeys,
  dropTestDatabase,
  freePort,
  infra,
  testLogger,
  testNamespace,
  waitFor,
} from '@recstream/testing';
import { createModelRegistry, type ModelRegistry } from '@recstream/model-registry';
import { runFullTrain, runIncrementalUpdate, type SequenceJobDeps } from '@recstream/trainer/jobs';
import { startTrainerWorker, type TrainerWorker } from '@recstream/trainer/worker';
import {
  chainSessions,
  FakeTopic,
  insertEvents,
  testJobDeps,
  tinySettings,
} from '../support/trainer-fixtures.js';

const ns = testNamespace('trainerfail');
let clickhouse: ClickHouse;
let registry: ModelRegistry;
let root: string;
const settings = tinySettings();
const topic = new FakeTopic(3, Date.UTC(2026, 10, 2));

t.before(async () => {
  clickhouse = await createTestDatabase(ns);
  root = await mkdtemp(join(tmpdir(), `${ns.id}-models-`));
  registry = createModelRegistry(root);
  await insertEvents(clickhouse, chainSessions(topic, { users: 30, items: 20, length: 6 }));
  const deps = testJobDeps({ clickhouse, registry, logger: testLogger() });
  const full = await runFullTrain(deps, settings);
  if (full.outcome !== 'publish') throw new Error(`setup: full training ended in ${full.outcome}`);
});
t.teardown(async () => {
  await clickhouse.close();
  await dropTestDatabase(ns);
  await deleteTestKeys(ns);
  await rm(root, { recursive: true, force: true });
});

t.test('killed between training and saving: the rerun learns the same events, once', async (t) => {
  await insertEvents(
    clickhouse,
    chainSessions(topic, { users: 30, items: 20, length: 2, userPrefix: 'late-' }),
  );
  const head = await registry.head('sasrec');
  const versions = (await registry.list('sasrec')).length;
  const crashing: SequenceJobDeps = {
    ...testJobDeps({ clickhouse, registry, logger: testLogger() }),
    progress: (stage) => (stage === 'saving' ? Promise.reject(new Error('killed')) : Promise.resolve()),
  };
  await t.rejects(runIncrementalUpdate(crashing, settings), /killed/);
  t.equal((await registry.list('sasrec')).length, versions, 'no version, so no watermark moved');
  t.equal((await registry.head('sasrec'))?.version, head?.version);

  const deps = testJobDeps({ clickhouse, registry, logger: testLogger() });
  const rerun = await runIncrementalUpdate(deps, settings);
  if (rerun.outcome === 'empty' || rerun.outcome === 'no-base') throw new Error(rerun.outcome);
  t.equal(rerun.parent, head?.version, 'resumed from the same head');
  const next = await runIncrementalUpdate(deps, { ...settings, holdoutFraction: 0 });
  if (next.outcome === 'empty' || next.outcome === 'no-base') throw new Error(next.outcome);
  // The rerun's window and the next one's meet exactly: together they are everything new.
  const beyondHead = 60 + 36; // the full training's held-out 20% of 180, and the 60 late events
  t.equal(rerun.events + next.events, beyondHead, 'every new event learned once across the two versions');
  for (const [partition, offset] of Object.entries(rerun.watermark))
    t.ok((next.watermark[partition] ?? -1) >= offset, `partition ${partition} only moved forward`);
  t.equal((await runIncrementalUpdate(deps, settings)).outcome, 'empty');
});

async function worker(
  t: { teardown(fn: () => unknown): void },
  name: string,
  jobClickHouse: ClickHouse,
): Promise<TrainerWorker> {
  const connection = createQueueRedis(infra.redisUrl);
  const started = await startTrainerWorker({
    connection,
    queueName: `trainer-${name}`,
    keyPrefix: `${ns.redisPrefix}:bull`,
    redisPrefix: ns.redisPrefix,
    sequence: {
      settings,
      deps: testJobDeps({ clickhouse: jobClickHouse, registry, logger: testLogger() }),
    },
    schedule: { incrementalEveryMs: 0, fullTrainEveryMs: 0, evaluateEveryMs: 0 },
    attempts: 3,
    backoffMs: 100,
    lockTtlMs: 30_000,
    keepVersions: 50,
    logger: testLogger(),
    metrics: testJobDeps({ clickhouse, registry, logger: testLogger() }).serviceMetrics,
  });
  t.teardown(async () => {
    await started.stop();
    await connection.quit();
  });
  return started;
}

async function finished(trainer: TrainerWorker, id: string | undefined) {
  return waitFor(
    `job ${id ?? '?'} to finish`,
    async () => {
      const job = await trainer.queue.getJob(id ?? '');
      const state = await job?.getState();
      return state === 'completed' || state === 'failed' ? { job, state } : undefined;
    },
    { timeoutMs: 60_000 },
  );
}

t.test('ClickHouse unreachable during a job: retried with backoff, then failed and kept', async (t) => {
  const live = await registry.live('sasrec');
  const unreachable = createClickHouse({
    url: `http://127.0.0.1:${await freePort()}`,
    username: infra.clickhouseUser,
    password: infra.clickhousePassword,
    database: ns.database,
    requestTimeoutMs: 2000,
  });
  t.teardown(() => unreachable.close());
  const trainer = await worker(t, 'down', unreachable);
  const job = await trainer.enqueue('incremental-update', { model: 'sasrec', trigger: 'manual' });
  const { state, job: done } = await finished(trainer, job.id);
  t.equal(state, 'failed');
  t.equal(done?.attemptsMade, 3, 'every attempt was made');
  t.match(done?.failedReason, /clickhouse query failed/);
  t.ok(
    (await trainer.queue.getFailed()).some((j) => j.id === job.id),
    'kept in the failed set',
  );
  t.equal((await registry.live('sasrec'))?.version, live?.version, 'the live version keeps serving');
});

t.test('bad input fails at once; a corrupt artifact is never published', async (t) => {
  const trainer = await worker(t, 'bad', clickhouse);
  const live = await registry.live('sasrec');

  const unknown = await trainer.queue.add(
    'publish',
    { model: 'sasrec' },
    { attempts: 3, removeOnFail: false },
  );
  const bad = await finished(trainer, unknown.id);
  t.equal(bad.state, 'failed');
  t.equal(bad.job?.attemptsMade, 1, 'not retried');
  t.match(bad.job?.failedReason, /REC_ERR_INVALID_INPUT: job publish: invalid payload: .*version/);

  // A candidate whose weights were damaged after saving.
  const deps = testJobDeps({ clickhouse, registry, logger: testLogger() });
  await insertEvents(clickhouse, chainSessions(topic, { users: 30, items: 20, length: 2, userPrefix: 'x-' }));
  const candidate = await runIncrementalUpdate(deps, {
    ...settings,
    guardrail: { tolerance: 0, minCases: 1_000_000 },
  });
  if (candidate.outcome !== 'hold') throw new Error(`expected a held candidate, got ${candidate.outcome}`);
  const record = await registry.get('sasrec', candidate.version);
  const weights = join(record.path, 'artifact', 'dense.bin');
  const bytes = await readFile(weights);
  bytes[3] = (bytes[3] ?? 0) ^ 0x55;
  await writeFile(weights, bytes);

  const publish = await trainer.enqueue('publish', {
    model: 'sasrec',
    version: candidate.version,
    force: true,
  });
  const corrupt = await finished(trainer, publish.id);
  t.equal(corrupt.state, 'failed');
  t.equal(corrupt.job?.attemptsMade, 1, 'a checksum mismatch is not retried');
  t.match(
    corrupt.job?.failedReason,
    /is corrupt or partial: artifact\/dense\.bin does not match its checksum/,
  );
  t.equal((await registry.live('sasrec'))?.version, live?.version, 'the live version is unchanged');

  const incremental = await trainer.enqueue('incremental-update', { model: 'sasrec' });
  const resumed = await finished(trainer, incremental.id);
  t.equal(resumed.state, 'failed', 'training does not continue from a corrupt head either');
  t.match(resumed.job?.failedReason, /corrupt/);
  await registry.setStatus('sasrec', candidate.version, 'rolled-back');
  const healed = await trainer.enqueue('incremental-update', { model: 'sasrec' });
  const ok = await finished(trainer, healed.id);
  t.equal(ok.state, 'completed', 'once withdrawn, updates continue from the previous version');
  t.same(ok.job?.progress, { stage: 'done', percent: 100 }, 'progress is visible on the job');
});
