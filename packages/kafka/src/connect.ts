/**
 * What every service that talks to Kafka starts with: a client, an admin connection (readiness and
 * topic creation), the product's topics ensured, and a connected producer — stopped in reverse.
 */
import type { Admin, Kafka } from 'kafkajs';
import type { Logger } from '@recstream/logger';
import type { ServiceMetrics } from '@recstream/metrics';
import { createKafka, ensureTopics, parseBrokers } from './client.js';
import { createProducer, type ProducerCompression, type ProducerHandle } from './producer.js';

export interface KafkaClients {
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly producer: ProducerHandle;
  /** Readiness: the cluster answers a metadata request. */
  readonly ready: () => Promise<void>;
  readonly stop: () => Promise<void>;
}

export async function connectKafka(options: {
  brokers: string;
  clientId: string;
  logger: Logger;
  topicPrefix: string;
  produceTimeoutMs: number;
  compression?: ProducerCompression;
  /** The service's metrics, to export the producer's (see producer.ts). */
  metrics?: ServiceMetrics;
}): Promise<KafkaClients> {
  const kafka = createKafka({
    brokers: parseBrokers(options.brokers),
    clientId: options.clientId,
    logger: options.logger,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, options.topicPrefix);
    const producer = createProducer(kafka, {
      timeoutMs: options.produceTimeoutMs,
      ...(options.compression === undefined ? {} : { compression: options.compression }),
      ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
    });
    await producer.connect();
    return {
      kafka,
      admin,
      producer,
      ready: async () => void (await admin.describeCluster()),
      stop: async () => {
        await producer.disconnect();
        await admin.disconnect();
      },
    };
  } catch (error) {
    await admin.disconnect();
    throw error;
  }
}
