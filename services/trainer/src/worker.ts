/**
 * The trainer's BullMQ side: a queue with a scheduled popularity training job and a worker that
 * runs it. Failed jobs are retried with backoff and kept (the failed set is the dead-letter record).
 */
import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '@recstream/logger';
import type { ServiceMetrics } from '@recstream/metrics';
import {
  POPULARITY_MODEL,
  trainPopularity,
  type TrainPopularityDeps,
  type TrainPopularityParams,
} from './jobs/train-popularity.job.js';

export const TRAIN_POPULARITY = 'train-popularity';

export interface TrainerWorker {
  readonly queue: Queue;
  readonly worker: Worker;
  stop(): Promise<void>;
}

export async function startTrainerWorker(deps: {
  connection: Redis;
  queueName: string;
  keyPrefix: string;
  everyMs: number;
  params: TrainPopularityParams;
  job: TrainPopularityDeps;
  logger: Logger;
  metrics: ServiceMetrics;
}): Promise<TrainerWorker> {
  const completed = deps.metrics.counter('jobs_total', 'Training jobs by name and outcome', [
    'job',
    'outcome',
  ]);
  const queue = new Queue(deps.queueName, { connection: deps.connection, prefix: deps.keyPrefix });
  await queue.upsertJobScheduler(
    `${POPULARITY_MODEL}-schedule`,
    { every: deps.everyMs, immediately: true },
    {
      name: TRAIN_POPULARITY,
      opts: {
        attempts: 5,
        backoff: { type: 'exponential', delay: 2000 },
        removeOnComplete: 100,
        removeOnFail: false,
      },
    },
  );
  const worker = new Worker(
    deps.queueName,
    async (job: Job) => {
      if (job.name !== TRAIN_POPULARITY) throw new Error(`unknown job ${job.name}`);
      await job.updateProgress(10);
      const manifest = await trainPopularity(deps.job, deps.params);
      await job.updateProgress(100);
      deps.logger.info(
        { model: manifest.model, version: manifest.version, metrics: manifest.metrics },
        'model published',
      );
      return { version: manifest.version };
    },
    { connection: deps.connection, prefix: deps.keyPrefix, concurrency: 1 },
  );
  worker.on('completed', (job) => completed.inc({ job: job.name, outcome: 'completed' }));
  worker.on('failed', (job, err) => {
    completed.inc({ job: job?.name ?? 'unknown', outcome: 'failed' });
    deps.logger.warn({ job: job?.name, attempts: job?.attemptsMade, err }, 'training job failed');
  });
  return {
    queue,
    worker,
    async stop() {
      await worker.close();
      await queue.close();
    },
  };
}
