/**
 * Listens on `rec.models.published.v1` for versions of our model going live (a publish, a
 * promotion, a rollback) and has the LiveModel load them in the background.
 *
 * Every instance must see every announcement, so each joins with a consumer group of its own
 * (`serving-models-<host>-<pid>-<random>`) and starts from the latest offset: what was live before
 * it started is read from the registry instead (after joining, so nothing announced in between is
 * missed). The handler only hands the version over, so a slow load never holds the consumer.
 * Left-over groups hold no data and expire with the broker's offsets retention.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  createConsumerRunner,
  drop,
  ok,
  type ConsumerRunner,
  type Kafka,
  type MessageResult,
} from '@recstream/kafka';
import type { Logger } from '@recstream/logger';
import type { ServiceMetrics } from '@recstream/metrics';
import type { LiveModel } from './live-model.js';
import { parseModelPublished } from '@recstream/model-registry';

export interface ModelUpdatesDeps {
  readonly kafka: Kafka;
  /** The models topic under the deployment's prefix. */
  readonly topic: string;
  readonly live: LiveModel;
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  /** Overrides the per-instance group id (tests name theirs). */
  readonly groupId?: string;
}

/** A group id no other instance shares: the host, the process and a random suffix. */
export function instanceGroupId(prefix: string): string {
  const host = hostname()
    .replace(/[^A-Za-z0-9_.-]/g, '-')
    .slice(0, 64);
  return `${prefix}serving-models-${host}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** The announcement's model and version, or why it cannot be used. */
export function parseAnnouncement(
  value: Buffer | null,
): { model: string; version: string } | { problem: string } {
  const read = parseModelPublished(value);
  return 'problem' in read ? read : { model: read.message.model, version: read.message.version };
}

export function createModelUpdatesConsumer(deps: ModelUpdatesDeps): ConsumerRunner {
  const { live, logger } = deps;
  return createConsumerRunner({
    kafka: deps.kafka,
    groupId: deps.groupId ?? instanceGroupId(''),
    topics: [deps.topic],
    fromBeginning: false,
    logger,
    metrics: deps.metrics,
    handler: (messages) =>
      Promise.resolve(
        messages.map((message): MessageResult => {
          const announced = parseAnnouncement(message.value);
          if ('problem' in announced) {
            logger.warn({ offset: message.offset, problem: announced.problem }, 'model announcement ignored');
            return drop(announced.problem);
          }
          if (announced.model !== live.model) return drop('another model');
          logger.info({ model: announced.model, version: announced.version }, 'model version announced');
          // In the background: the LiveModel loads one version at a time, the newest announcement winning.
          void live.request(announced.version);
          return ok;
        }),
      ),
  });
}
