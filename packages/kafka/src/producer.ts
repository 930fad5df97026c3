/**
 * The product's producer: idempotent, acknowledged by all in-sync replicas. A send that Kafka has
 * not acknowledged within `timeoutMs` fails with a transient error, so an HTTP caller can answer
 * 503 instead of hanging while the broker is away.
 *
 * Batches are snappy-compressed by default (see snappy-codec.ts): clickstream JSON shrinks several
 * times for little CPU, which keeps the brokers' disks and the network from being the bottleneck;
 * gzip compresses better and costs far more CPU in every producer and consumer.
 *
 * Concurrent sends are coalesced into shared produce requests (see send-coalescer.ts).
 */
import { CompressionTypes, type Kafka, type Message, type Producer } from 'kafkajs';
import { ERROR_CODES, TransientError, errorMessage } from '@recstream/errors';
import { createSendCoalescer } from './send-coalescer.js';

export interface ProducerHandle {
  send(topic: string, messages: Message[]): Promise<void>;
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  readonly connected: boolean;
}

export const PRODUCER_COMPRESSIONS = ['snappy', 'gzip', 'none'] as const;
export type ProducerCompression = (typeof PRODUCER_COMPRESSIONS)[number];

export function createProducer(
  kafka: Kafka,
  options: {
    timeoutMs: number;
    compression?: ProducerCompression;
  },
): ProducerHandle {
  const compression = {
    snappy: CompressionTypes.Snappy,
    gzip: CompressionTypes.GZIP,
    none: CompressionTypes.None,
  }[options.compression ?? 'snappy'];
  const producer: Producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 5,
    allowAutoTopicCreation: false,
  });
  let connected = false;
  producer.on(producer.events.CONNECT, () => (connected = true));
  producer.on(producer.events.DISCONNECT, () => (connected = false));
  // kafkajs keeps one produce request in flight per broker for an idempotent producer, so batches
  // go one at a time and grow while one is out.
  const coalescer = createSendCoalescer(
    async (topicMessages) => void (await producer.sendBatch({ topicMessages, acks: -1, compression })),
    { maxConcurrent: 1, maxBatchMessages: 10_000 },
  );

  return {
    async send(topic, messages) {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          coalescer.send(topic, messages),
          new Promise<never>((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`kafka did not acknowledge within ${options.timeoutMs} ms`)),
              options.timeoutMs,
            );
          }),
        ]);
      } catch (error) {
        throw new TransientError(
          ERROR_CODES.unavailable,
          `kafka produce to ${topic} failed: ${errorMessage(error)}`,
          {
            cause: error,
            details: { topic, messages: messages.length },
          },
        );
      } finally {
        clearTimeout(timer);
      }
    },
    connect: () => producer.connect(),
    disconnect: () => producer.disconnect(),
    get connected() {
      return connected;
    },
  };
}
