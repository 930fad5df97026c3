/**
 * Runs a consumer group over batches with the product's delivery rules:
 * - the handler returns one result per message (ok / drop / dlq / retry) instead of throwing;
 * - DLQ messages keep the original key and value and add reason, step, code and source headers;
 * - offsets are resolved only for the contiguous prefix of finished messages, and only after the
 *   handler returned (so after its sink confirmed); a failed DLQ produce is a retry, never an ack;
 * - a retry result re-runs the unfinished suffix with backoff, heartbeating meanwhile, until it
 *   succeeds or the consumer stops — nothing is skipped.
 */
import type { Consumer, Kafka, KafkaMessage, Message } from 'kafkajs';
import { backoffDelayMs, errorMessage, sleep } from '@recstream/errors';
import type { Logger } from '@recstream/logger';
import type { ServiceMetrics } from '@recstream/metrics';
import { DLQ_HEADERS } from '@recstream/schemas';
import { MAX_DLQ_REASON_BYTES, MAX_MESSAGE_BYTES, messageBytes, truncateUtf8 } from './message-size.js';
import type { MessageResult } from './results.js';
import type { ProducerHandle } from './producer.js';

export interface BatchContext {
  readonly topic: string;
  readonly partition: number;
}

/** Handles messages in order; must be idempotent, because a message can be delivered again. */
export type BatchHandler = (
  messages: readonly KafkaMessage[],
  context: BatchContext,
) => Promise<MessageResult[]>;

export interface ConsumerRunnerOptions {
  readonly kafka: Kafka;
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly handler: BatchHandler;
  /** Where `dlq` results go; required when the handler can return them. */
  readonly dlq?: { readonly producer: ProducerHandle; readonly topic: string };
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  readonly partitionsConsumedConcurrently?: number;
  readonly fromBeginning?: boolean;
}

export interface ConsumerRunner {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** True once the consumer has joined its group and been assigned partitions at least once. */
  readonly joined: boolean;
  readonly consumer: Consumer;
}

const HEARTBEAT_EVERY_MS = 3000;

export function createConsumerRunner(options: ConsumerRunnerOptions): ConsumerRunner {
  const { logger, handler } = options;
  const consumer = options.kafka.consumer({
    groupId: options.groupId,
    allowAutoTopicCreation: false,
    maxBytesPerPartition: 4 * 1024 * 1024,
  });
  const results = options.metrics.counter('kafka_messages_total', 'Consumed messages by handler result', [
    'topic',
    'result',
  ]);
  const lag = options.metrics.gauge(
    'kafka_consumer_lag_messages',
    'High watermark minus next offset, per partition',
    ['topic', 'partition'],
  );
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
  const stopController = new AbortController();

  async function parkInDlq(
    message: KafkaMessage,
    result: Extract<MessageResult, { kind: 'dlq' }>,
    context: BatchContext,
    offset: string,
  ) {
    if (options.dlq === undefined)
      throw new Error(`handler returned dlq for ${context.topic} but no DLQ is configured`);
    const parked: Message = {
      key: message.key,
      value: message.value,
      headers: {
        ...message.headers,
        [DLQ_HEADERS.reason]: truncateUtf8(result.reason, MAX_DLQ_REASON_BYTES),
        [DLQ_HEADERS.step]: result.step,
        [DLQ_HEADERS.code]: result.code,
        [DLQ_HEADERS.source]: `${context.topic}/${context.partition}/${offset}`,
        [DLQ_HEADERS.at]: new Date().toISOString(),
      },
    };
    await options.dlq.producer.send(options.dlq.topic, [fitForDlq(parked, result.reason)]);
  }

  return {
    consumer,
    get joined() {
      return joined;
    },
    async start() {
      await consumer.connect();
      await consumer.subscribe({ topics: [...options.topics], fromBeginning: options.fromBeginning ?? true });
      await consumer.run({
        eachBatchAutoResolve: false,
        autoCommit: true,
        autoCommitInterval: 1000,
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 3,
        eachBatch: async (payload) => {
          const { batch } = payload;
          // kafkajs hands out closures here, not methods; wrapping keeps the linter's `this` check honest.
          const resolveOffset = (offset: string) => payload.resolveOffset(offset);
          const heartbeat = () => payload.heartbeat();
          const isRunning = () => payload.isRunning();
          const isStale = () => payload.isStale();
          const context = { topic: batch.topic, partition: batch.partition };
          let pending = batch.messages;
          let attempt = 0;
          while (pending.length > 0 && isRunning() && !isStale()) {
            const beat = setInterval(() => void heartbeat().catch(() => undefined), HEARTBEAT_EVERY_MS);
            let done = 0;
            let retryError: unknown;
            try {
              const outcomes = await handler(pending, context);
              for (const [index, message] of pending.entries()) {
                const outcome = outcomes[index];
                if (outcome === undefined) throw new Error('handler returned fewer results than messages');
                if (outcome.kind === 'retry') {
                  retryError = outcome.error;
                  break;
                }
                if (outcome.kind === 'dlq') {
                  try {
                    await parkInDlq(message, outcome, context, message.offset);
                  } catch (error) {
                    retryError = error;
                    break;
                  }
                  logger.warn(
                    { ...context, offset: message.offset, reason: outcome.reason, step: outcome.step },
                    'message parked in DLQ',
                  );
                } else if (outcome.kind === 'drop') {
                  logger.debug(
                    { ...context, offset: message.offset, reason: outcome.reason },
                    'message dropped',
                  );
                }
                results.inc({ topic: batch.topic, result: outcome.kind });
                resolveOffset(message.offset);
                done = index + 1;
              }
            } catch (error) {
              retryError = error;
            } finally {
              clearInterval(beat);
            }
            pending = pending.slice(done);
            if (pending.length > 0) {
              results.inc({ topic: batch.topic, result: 'retry' }, 1);
              const delayMs = backoffDelayMs(attempt, 200, 10_000);
              attempt = done > 0 ? 0 : attempt + 1;
              logger.warn(
                {
                  ...context,
                  offset: pending[0]?.offset,
                  remaining: pending.length,
                  delayMs,
                  err: errorMessage(retryError),
                },
                'batch not finished, retrying',
              );
              await sleep(delayMs, stopController.signal);
              await heartbeat().catch(() => undefined);
            }
          }
          await payload.commitOffsetsIfNecessary();
          const last = batch.messages.at(-1);
          if (last !== undefined) {
            lag.set(context, Math.max(0, Number(batch.highWatermark) - Number(last.offset) - 1));
          }
        },
      });
    },
    async stop() {
      stopController.abort();
      await consumer.disconnect();
    },
  };
}

/**
 * A message close to the size limit no longer fits once the DLQ headers are added, and one from a
 * producer that bypassed the collector may not fit at all (a huge key or huge headers). Such a
 * message is parked cut to size (its original headers dropped if cutting the value cannot make it
 * fit, then its value cut, then its key) and its reason says what was cut, rather than refused by
 * the producer on every retry, which would stall the partition for good.
 */
function fitForDlq(parked: Message, reason: string): Message {
  // Sized with the reason at its bound, so that saying what was cut can never push it over.
  const over = (candidate: Message) =>
    messageBytes({ ...candidate, headers: { ...candidate.headers, [DLQ_HEADERS.reason]: '' } }) +
    MAX_DLQ_REASON_BYTES -
    MAX_MESSAGE_BYTES;
  if (messageBytes(parked) <= MAX_MESSAGE_BYTES) return parked;
  const fitted: Message = { ...parked };
  const cuts: string[] = [];
  const value = bytesOf(parked.value);
  // The value is what a replay needs: the original headers go first when cutting the value alone
  // cannot make it fit (nothing downstream reads them).
  if (over(fitted) > value.length) {
    const original = Object.keys(fitted.headers ?? {}).filter((name) => !DLQ_HEADER_NAMES.has(name));
    if (original.length > 0) {
      fitted.headers = Object.fromEntries(
        Object.entries(fitted.headers ?? {}).filter(([name]) => DLQ_HEADER_NAMES.has(name)),
      );
      cuts.push(`${original.length} original headers dropped`);
    }
  }
  if (over(fitted) > 0 && value.length > 0) {
    const kept = Math.max(0, value.length - over(fitted));
    fitted.value = value.subarray(0, kept);
    cuts.push(`value cut from ${value.length} to ${kept} bytes`);
  }
  const key = bytesOf(parked.key);
  if (over(fitted) > 0 && key.length > 0) {
    const kept = Math.max(0, key.length - over(fitted));
    fitted.key = key.subarray(0, kept);
    cuts.push(`key cut from ${key.length} to ${kept} bytes`);
  }
  fitted.headers = {
    ...fitted.headers,
    [DLQ_HEADERS.reason]: truncateUtf8(`${reason}; ${cuts.join(', ')} to fit the DLQ`, MAX_DLQ_REASON_BYTES),
  };
  return fitted;
}

const DLQ_HEADER_NAMES: ReadonlySet<string> = new Set(Object.values(DLQ_HEADERS));

function bytesOf(data: Buffer | string | null | undefined): Buffer {
  if (data === null || data === undefined) return Buffer.alloc(0);
  return typeof data === 'string' ? Buffer.from(data) : data;
}
