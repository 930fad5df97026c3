/**
 * The trainer's BullMQ side: one queue, one worker, every job typed (jobs/job-payloads.ts).
 *
 * - Transient failures (ClickHouse or Redis unreachable, a timeout) are retried with exponential
 *   backoff; bad input (a payload that does not validate, a version that does not exist, a corrupt
 *   artifact) fails at once as UnrecoverableError. Failed jobs are never removed: the failed set is
 *   the dead-letter record, with the error and attempts of each.
 * - Full trainings and incremental updates of a model hold its Redis lock, so only one of them
 *   runs per model at a time across all workers; a job that finds it taken returns `busy` (the
 *   next trigger catches up).
 * - Schedules: incremental updates every few minutes (and on a new-events trigger, see
 *   triggers/new-events.trigger.ts), an optional periodic full training and evaluation, and the
 *   popularity baseline.
 */
import { Queue, UnrecoverableError, Worker, type Job, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { PermanentError } from '@recstream/errors';
import type { Logger } from '@recstream/logger';
import type { ServiceMetrics } from '@recstream/metrics';
import { runEvaluate } from './jobs/evaluate.job.js';
import { runFullTrain } from './jobs/full-train.job.js';
import { runIncrementalUpdate } from './jobs/incremental-update.job.js';
import { checkJobName, parsePayload, type JobName, type JobPayload } from './jobs/job-payloads.js';
import { modelLockKey, withModelLock } from './jobs/model-lock.js';
import { runPublish } from './jobs/publish.job.js';
import type { SequenceJobDeps, SequenceSettings } from './jobs/sequence-settings.js';
import {
  POPULARITY_MODEL,
  trainPopularity,
  type TrainPopularityDeps,
  type TrainPopularityParams,
} from './jobs/train-popularity.job.js';
import { rollbackModel } from './registry/model-operations.js';

export interface TrainerWorkerOptions {
  readonly connection: Redis;
  readonly queueName: string;
  /** BullMQ's key prefix. */
  readonly keyPrefix: string;
  /** Prefix of the trainer's own Redis keys (the model locks). */
  readonly redisPrefix: string;
  readonly sequence: { readonly deps: SequenceJobDeps; readonly settings: SequenceSettings };
  readonly popularity?:
    | { readonly deps: TrainPopularityDeps; readonly params: TrainPopularityParams; readonly everyMs: number }
    | undefined;
  readonly schedule: {
    /** 0 disables a schedule. */
    readonly incrementalEveryMs: number;
    readonly fullTrainEveryMs: number;
    readonly evaluateEveryMs: number;
  };
  readonly attempts: number;
  readonly backoffMs: number;
  readonly lockTtlMs: number;
  /** Versions kept per model by the pruning after each training (see ModelRegistry.prune). */
  readonly keepVersions: number;
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
}

export interface TrainerWorker {
  readonly queue: Queue;
  readonly worker: Worker;
  /** Adds a job with the trainer's retry policy (payload checked first). */
  enqueue<N extends JobName>(name: N, payload: JobPayload<N>): Promise<Job>;
  stop(): Promise<void>;
}

export function jobOptions(attempts: number, backoffMs: number): JobsOptions {
  return {
    attempts,
    backoff: { type: 'exponential', delay: backoffMs },
    removeOnComplete: 200,
    removeOnFail: false,
  };
}

export async function startTrainerWorker(options: TrainerWorkerOptions): Promise<TrainerWorker> {
  const { settings } = options.sequence;
  const completed = options.metrics.counter('jobs_total', 'Trainer jobs by name and outcome', [
    'job',
    'outcome',
  ]);
  const queue = new Queue(options.queueName, { connection: options.connection, prefix: options.keyPrefix });
  const defaults = jobOptions(options.attempts, options.backoffMs);

  const schedule = async (id: string, everyMs: number, name: JobName, data: object): Promise<void> => {
    if (everyMs > 0) await queue.upsertJobScheduler(id, { every: everyMs }, { name, data, opts: defaults });
    else await queue.removeJobScheduler(id);
  };
  await schedule(
    `incremental-update:${settings.model}`,
    options.schedule.incrementalEveryMs,
    'incremental-update',
    {
      model: settings.model,
      trigger: 'schedule',
    },
  );
  await schedule(`full-train:${settings.model}`, options.schedule.fullTrainEveryMs, 'full-train', {
    model: settings.model,
    reason: 'schedule',
  });
  await schedule(`evaluate:${settings.model}`, options.schedule.evaluateEveryMs, 'evaluate', {
    model: settings.model,
  });
  if (options.popularity !== undefined) {
    await queue.upsertJobScheduler(
      `${POPULARITY_MODEL}-schedule`,
      { every: options.popularity.everyMs, immediately: true },
      { name: 'train-popularity', data: {}, opts: defaults },
    );
  }

  const lockKey = modelLockKey(options.redisPrefix, settings.model);
  const sequenceDeps = (job: Job): SequenceJobDeps => ({
    ...options.sequence.deps,
    progress: (stage, percent) => job.updateProgress({ stage, percent }),
  });
  const checkModel = (model: string): void => {
    if (model !== settings.model)
      throw new UnrecoverableError(`this trainer trains ${settings.model}, not ${JSON.stringify(model)}`);
  };
  /** Runs a training under the model's lock, then prunes old versions (a failed prune only warns). */
  const locked = async <T>(work: () => Promise<T>): Promise<T | { outcome: 'busy' }> => {
    const result = await withModelLock(options.connection, lockKey, options.lockTtlMs, async () => {
      const value = await work();
      try {
        const removed = await options.sequence.deps.registry.prune(settings.model, options.keepVersions);
        if (removed.length > 0)
          options.logger.info({ model: settings.model, removed }, 'old versions pruned');
      } catch (err) {
        options.logger.warn({ err, model: settings.model }, 'pruning old versions failed');
      }
      return value;
    });
    return result.locked ? result.value : { outcome: 'busy' as const };
  };

  async function run(job: Job): Promise<unknown> {
    const name = checkJobName(job.name);
    switch (name) {
      case 'full-train': {
        checkModel(parsePayload(name, job.data).model);
        return locked(() => runFullTrain(sequenceDeps(job), settings));
      }
      case 'incremental-update': {
        checkModel(parsePayload(name, job.data).model);
        return locked(() => runIncrementalUpdate(sequenceDeps(job), settings));
      }
      case 'evaluate': {
        const payload = parsePayload(name, job.data);
        checkModel(payload.model);
        return runEvaluate(sequenceDeps(job), settings, payload.version);
      }
      case 'publish': {
        const payload = parsePayload(name, job.data);
        checkModel(payload.model);
        return runPublish(sequenceDeps(job), settings, {
          version: payload.version,
          force: payload.force === true,
          reason: payload.reason,
        });
      }
      case 'rollback': {
        const payload = parsePayload(name, job.data);
        const result = await rollbackModel(
          options.sequence.deps,
          payload.model,
          payload.to,
          payload.reason ?? `rollback job ${job.id ?? ''}`,
        );
        return { from: result.from.version, to: result.to.version, withdrawn: result.withdrawn };
      }
      case 'train-popularity': {
        parsePayload(name, job.data);
        if (options.popularity === undefined)
          throw new UnrecoverableError('the popularity baseline is not configured');
        const record = await trainPopularity(options.popularity.deps, options.popularity.params);
        return { version: record.version, metrics: record.metrics };
      }
    }
  }

  const worker = new Worker(
    options.queueName,
    async (job: Job) => {
      await job.updateProgress({ stage: 'started', percent: 0 });
      try {
        return await run(job);
      } catch (error) {
        // Bad input cannot get better with retries: fail the job now, keep it as the record.
        if (error instanceof PermanentError) throw new UnrecoverableError(`${error.code}: ${error.message}`);
        throw error;
      }
    },
    { connection: options.connection, prefix: options.keyPrefix, concurrency: 1 },
  );
  worker.on('completed', (job, result: unknown) => {
    completed.inc({ job: job.name, outcome: 'completed' });
    options.logger.info({ job: job.name, id: job.id, result }, 'trainer job completed');
  });
  worker.on('failed', (job, err) => {
    completed.inc({ job: job?.name ?? 'unknown', outcome: 'failed' });
    options.logger.warn(
      { job: job?.name, id: job?.id, attempts: job?.attemptsMade, err },
      'trainer job failed',
    );
  });
  worker.on('error', (err) => options.logger.warn({ err }, 'trainer worker error'));

  return {
    queue,
    worker,
    async enqueue(name, payload) {
      parsePayload(name, payload);
      return queue.add(name, payload, {
        ...defaults,
        // A second incremental update for the model while one waits is the same work: keep one.
        ...(name === 'incremental-update'
          ? { deduplication: { id: `incremental-update:${settings.model}` } }
          : {}),
      });
    },
    async stop() {
      await worker.close();
      await queue.close();
    },
  };
}
