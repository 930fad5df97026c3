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
import { LATENCY_BUCKETS_S, type ServiceMetrics } from '@recstream/metrics';
import { createSendCoalescer, type SendBatch } from './send-coalescer.js';

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
    /** Exports each produce request's duration and size (`kafka_produce_seconds`, `…_messages`). */
    metrics?: ServiceMetrics;
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
  const sendBatch: SendBatch = async (topicMessages) =>
    void (await producer.sendBatch({ topicMessages, acks: -1, compression }));
  const coalescer = createSendCoalescer(
    options.metrics === undefined ? sendBatch : measuredSendBatch(sendBatch, options.metrics),
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

/** Produce requests' duration (encoding, the broker's acknowledgement) and size, by outcome. */
function measuredSendBatch(sendBatch: SendBatch, metrics: ServiceMetrics): SendBatch {
  const seconds = metrics.histogram(
    'kafka_produce_seconds',
    'Produce requests, from encoding to acknowledgement by all in-sync replicas',
    LATENCY_BUCKETS_S,
    ['outcome'],
  );
  const sizes = metrics.histogram(
    'kafka_produce_messages',
    'Messages per produce request (concurrent sends share one)',
    [1, 10, 100, 500, 1_000, 2_500, 5_000, 10_000],
  );
  return async (topicMessages) => {
    const messages = topicMessages.reduce((sum, topic) => sum + topic.messages.length, 0);
    sizes.observe(messages);
    const end = seconds.startTimer();
    try {
      await sendBatch(topicMessages);
      end({ outcome: 'acknowledged' });
    } catch (error) {
      end({ outcome: 'failed' });
      throw error;
    }
  };
}
