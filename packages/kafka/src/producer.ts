/**
 * The product's producer: idempotent, acknowledged by all in-sync replicas. A send that Kafka has
 * not acknowledged within `timeoutMs` fails with a transient error, so an HTTP caller can answer
 * 503 instead of hanging while the broker is away.
 *
 * Batches are snappy-compressed by default (see snappy-codec.ts): clickstream JSON shrinks several
 * times for little CPU, which keeps the brokers' disks and the network from being the bottleneck;
 * gzip compresses better and costs far more CPU in every producer and consumer.
 *
 * Concurrent sends are coalesced into shared produce requests (see send-coalescer.ts), bounded in
 * bytes (see message-size.ts); a message over `MAX_MESSAGE_BYTES` is refused before it can share a
 * request with anyone.
 *
 * After any failed produce request the kafkajs producer is replaced by a new one. kafkajs numbers
 * the records of an idempotent producer per partition, and when a request fails it rolls back the
 * numbers of every partition in it, including partitions the broker had already appended to. The
 * next request to such a partition then either gets OUT_OF_ORDER_SEQUENCE_NUMBER (and fails again,
 * spreading the desynchronisation) or, with the same record count, is taken by the broker for a
 * retry of what it already has: acknowledged without being appended, a silent loss. A new producer
 * gets a new producer id from the broker and starts every sequence at zero, so neither can happen.
 */
import { CompressionTypes, type Kafka, type Message, type Producer } from 'kafkajs';
import { ERROR_CODES, PermanentError, TransientError, errorMessage } from '@recstream/errors';
import { LATENCY_BUCKETS_S, type ServiceMetrics } from '@recstream/metrics';
import { MAX_MESSAGE_BYTES, MAX_REQUEST_BYTES, messageBytes } from './message-size.js';
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
  const replacements = options.metrics?.counter(
    'kafka_producer_replacements_total',
    'Producers replaced by a new one (new producer id) after a failed produce request',
  );
  let stopped = false;
  let connected = false;
  let current = newProducer();
  let connecting: Promise<void> | undefined;

  function newProducer(): Producer {
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 5,
      allowAutoTopicCreation: false,
    });
    producer.on(producer.events.CONNECT, () => {
      if (producer === current) connected = true;
    });
    producer.on(producer.events.DISCONNECT, () => {
      if (producer === current) connected = false;
    });
    return producer;
  }

  /** Connects the current producer once; a failed attempt is tried again by the next send. */
  function ensureConnected(): Promise<void> {
    connecting ??= current.connect().catch((error: unknown) => {
      connecting = undefined;
      throw error;
    });
    return connecting;
  }

  function replace(failed: Producer): void {
    if (failed !== current || stopped) return;
    replacements?.inc();
    connected = false;
    current = newProducer();
    connecting = undefined;
    failed.disconnect().catch(() => undefined);
    // Connect at once, so that readiness reflects the new producer without waiting for a send.
    ensureConnected().catch(() => undefined);
  }

  // kafkajs keeps one produce request in flight per broker for an idempotent producer, so batches
  // go one at a time and grow while one is out.
  const sendBatch: SendBatch = async (topicMessages) => {
    await ensureConnected();
    const producer = current;
    try {
      await producer.sendBatch({ topicMessages, acks: -1, compression });
    } catch (error) {
      replace(producer);
      throw error;
    }
  };
  const coalescer = createSendCoalescer(
    options.metrics === undefined ? sendBatch : measuredSendBatch(sendBatch, options.metrics),
    { maxConcurrent: 1, maxBatchMessages: 10_000, maxBatchBytes: MAX_REQUEST_BYTES },
  );

  return {
    async send(topic, messages) {
      assertMessageSizes(topic, messages);
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
    connect: () => ensureConnected(),
    disconnect: async () => {
      stopped = true;
      await current.disconnect();
    },
    get connected() {
      return connected;
    },
  };
}

/** Refuses a send with a message Kafka would refuse, before it can share a request with others. */
function assertMessageSizes(topic: string, messages: readonly Message[]): void {
  const index = messages.findIndex((message) => messageBytes(message) > MAX_MESSAGE_BYTES);
  if (index === -1) return;
  const bytes = messageBytes(messages[index] as Message);
  throw new PermanentError(
    ERROR_CODES.payloadTooLarge,
    `record ${index} is ${bytes} bytes, over the maximum of ${MAX_MESSAGE_BYTES} bytes a record may have`,
    { details: { statusCode: 413, topic, index, bytes, maxBytes: MAX_MESSAGE_BYTES } },
  );
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
