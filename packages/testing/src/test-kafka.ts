/** The Kafka side of a test namespace: its topic names, and a connected client with the product's producer. */
import type { Kafka } from 'kafkajs';
import { createKafka, createProducer, parseBrokers, type ProducerHandle } from '@recstream/kafka';
import { topicName } from '@recstream/schemas';
import { infra, testLogger, type TestNamespace } from './index.js';

export function testTopics(ns: TestNamespace) {
  return {
    events: topicName('events', ns.topicPrefix),
    items: topicName('items', ns.topicPrefix),
    dlq: topicName('eventsDlq', ns.topicPrefix),
  };
}

export interface TestKafka {
  readonly kafka: Kafka;
  /** Connected; disconnect it in the test's teardown. */
  readonly producer: ProducerHandle;
}

export async function connectTestKafka(
  ns: TestNamespace,
  options: { timeoutMs?: number } = {},
): Promise<TestKafka> {
  const kafka = createKafka({
    brokers: parseBrokers(infra.kafkaBrokers),
    clientId: ns.id,
    logger: testLogger(),
  });
  const producer = createProducer(kafka, { timeoutMs: options.timeoutMs ?? 10_000 });
  await producer.connect();
  return { kafka, producer };
}
