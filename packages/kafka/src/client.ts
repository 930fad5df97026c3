/**
 * kafkajs clients with logs routed to pino and the product's topics created on demand.
 */
import { Kafka, logLevel, type Admin, type ITopicConfig, type LogEntry } from 'kafkajs';
import type { Logger } from '@recstream/logger';
import { TOPICS, topicName, type TopicRole } from '@recstream/schemas';
import { registerSnappyCodec } from './snappy-codec.js';

export interface KafkaOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly logger: Logger;
}

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

export function createKafka(options: KafkaOptions): Kafka {
  // Before any client exists: a consumer may meet snappy batches in its first fetch.
  registerSnappyCodec();
  const log = options.logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    // kafkajs INFO is chatty (every join/commit); WARN and above reach our logs.
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...rest } = entry;
        log[LEVELS[level] ?? 'info'](rest, message);
      },
    retry: { initialRetryTime: 200, retries: 8 },
  });
}

export function parseBrokers(list: string): string[] {
  return list
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '');
}

/** Creates the product's topics that do not exist yet; existing ones are left as they are. */
export async function ensureTopics(
  admin: Admin,
  prefix: string,
  roles: readonly TopicRole[] = Object.keys(TOPICS) as TopicRole[],
): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing: ITopicConfig[] = roles
    .map((role) => ({ role, name: topicName(role, prefix) }))
    .filter(({ name }) => !existing.has(name))
    .map(({ role, name }) => ({
      topic: name,
      numPartitions: TOPICS[role].partitions,
      replicationFactor: -1, // the broker default: 1 here, 3 on a production cluster
      configEntries: Object.entries(TOPICS[role].config).map(([configName, value]) => ({
        name: configName,
        value,
      })),
    }));
  if (missing.length > 0) await admin.createTopics({ topics: missing, waitForLeaders: true });
  return missing.map((t) => t.topic);
}
