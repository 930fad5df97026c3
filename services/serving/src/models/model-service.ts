/**
 * The served model's moving parts, started in the order that misses nothing: the announcement
 * consumer joins first, then the registry's live version is loaded and warmed in the background
 * (the HTTP side starts meanwhile; `/readyz` stays red until that load has had its chance), then a poll re-reads the registry now and then (an announcement missed while Kafka was
 * away). Stopped in reverse.
 */
import type { Kafka } from '@recstream/kafka';
import type { Logger } from '@recstream/logger';
import type { ServiceMetrics } from '@recstream/metrics';
import type { TensorFlow } from '@recstream/models';
import { LiveModel } from './live-model.js';
import { createModelMetrics, type ModelMetrics } from './model-metrics.js';
import { createModelUpdatesConsumer } from './model-updates.consumer.js';
import { createRegistryReader } from '@recstream/model-registry';

/** How long startup waits for the announcement consumer to join before loading anyway. */
const JOIN_WAIT_MS = 30_000;

export interface ModelServiceOptions {
  readonly registryDir: string;
  readonly model: string;
  readonly required: boolean;
  /** The nearest-item graph's search expansion (item-index.ts). */
  readonly indexExpansion?: number;
  readonly tf: () => TensorFlow;
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  /** Announcements to follow; none: only the startup version and polls. */
  readonly updates?: { readonly kafka: Kafka; readonly topic: string; readonly groupId?: string } | undefined;
  /** Registry re-read interval; 0: never. */
  readonly pollMs: number;
}

export interface ModelService {
  readonly live: LiveModel;
  readonly metrics: ModelMetrics;
  /** Settles when the startup load has finished, serving or not (it never rejects). */
  readonly started: Promise<void>;
  stop(): Promise<void>;
}

export async function startModelService(options: ModelServiceOptions): Promise<ModelService> {
  const logger = options.logger.child({ component: 'model' });
  const metrics = createModelMetrics(options.metrics);
  const live = new LiveModel({
    reader: createRegistryReader(options.registryDir),
    model: options.model,
    tf: options.tf,
    metrics,
    logger,
    required: options.required,
    ...(options.indexExpansion === undefined ? {} : { indexExpansion: options.indexExpansion }),
  });

  const consumer =
    options.updates === undefined
      ? undefined
      : createModelUpdatesConsumer({
          kafka: options.updates.kafka,
          topic: options.updates.topic,
          live,
          logger,
          metrics: options.metrics,
          ...(options.updates.groupId === undefined ? {} : { groupId: options.updates.groupId }),
        });
  if (consumer !== undefined) {
    await consumer.start();
    const deadline = Date.now() + JOIN_WAIT_MS;
    while (!consumer.joined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (!consumer.joined)
      logger.warn(
        { waitedMs: JOIN_WAIT_MS },
        'model announcements consumer has not joined yet: loading the live version anyway',
      );
  }

  const started = live.loadLive();
  const poll =
    options.pollMs > 0 ? setInterval(() => void live.loadLive(), options.pollMs).unref() : undefined;

  return {
    live,
    metrics,
    started,
    async stop() {
      clearInterval(poll);
      await consumer?.stop();
      await started;
      await live.close();
    },
  };
}
