export { createKafka, ensureTopics, parseBrokers, type KafkaOptions } from './client.js';
export {
  createProducer,
  PRODUCER_COMPRESSIONS,
  type ProducerCompression,
  type ProducerHandle,
} from './producer.js';
export {
  createConsumerRunner,
  type ConsumerRunner,
  type ConsumerRunnerOptions,
  type BatchHandler,
  type BatchContext,
} from './consumer-runner.js';
export {
  MAX_DLQ_REASON_BYTES,
  MAX_MESSAGE_BYTES,
  MAX_REQUEST_BYTES,
  messageBytes,
  truncateUtf8,
} from './message-size.js';
export { ok, drop, dlq, retry, type MessageResult } from './results.js';
export type { KafkaMessage, Message, Kafka, Admin } from 'kafkajs';
export { connectKafka, type KafkaClients } from './connect.js';
export { hasCommittedOffsets } from './group-offsets.js';
