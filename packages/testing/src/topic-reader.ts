/**
 * Reads a whole topic as it is now: every message up to the high watermarks taken when the call
 * starts. Tests use it to check what really reached Kafka (nothing lost, nothing doubled) without
 * guessing how long to wait.
 */
import { randomBytes } from 'node:crypto';
import type { IHeaders } from 'kafkajs';
import { createKafka, parseBrokers } from '@recstream/kafka';
import { infra, testLogger, TEST_MARKER } from './index.js';

export interface TopicMessage {
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: string | null;
  readonly headers: Record<string, string>;
}

function headerText(headers: IHeaders | undefined): Record<string, string> {
  const text: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) text[name] = first.toString();
  }
  return text;
}

export async function readTopic(
  topic: string,
  options: { timeoutMs?: number; brokers?: string } = {},
): Promise<TopicMessage[]> {
  const kafka = createKafka({
    brokers: parseBrokers(options.brokers ?? infra.kafkaBrokers),
    clientId: `${TEST_MARKER}reader`,
    logger: testLogger(),
  });
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<number, bigint>();
  try {
    for (const { partition, high } of await admin.fetchTopicOffsets(topic)) ends.set(partition, BigInt(high));
  } finally {
    await admin.disconnect();
  }
  const pending = new Set([...ends].filter(([, high]) => high > 0n).map(([partition]) => partition));
  const messages: TopicMessage[] = [];
  if (pending.size === 0) return messages;

  const consumer = kafka.consumer({ groupId: `${TEST_MARKER}reader_${randomBytes(4).toString('hex')}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let caughtUp!: () => void;
    const done = new Promise<void>((resolve) => (caughtUp = resolve));
    await consumer.run({
      eachMessage: ({ partition, message }) => {
        const end = ends.get(partition) ?? 0n;
        if (BigInt(message.offset) < end) {
          messages.push({
            partition,
            offset: message.offset,
            key: message.key?.toString('utf8') ?? null,
            value: message.value?.toString('utf8') ?? null,
            headers: headerText(message.headers),
          });
        }
        if (BigInt(message.offset) + 1n >= end) pending.delete(partition);
        if (pending.size === 0) caughtUp();
        return Promise.resolve();
      },
    });
    const timeoutMs = options.timeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      done,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `reading ${topic}: partitions ${[...pending].join(',')} not caught up in ${timeoutMs} ms`,
              ),
            ),
          timeoutMs,
        );
      }),
    ]).finally(() => clearTimeout(timer));
  } finally {
    await consumer.disconnect();
  }
  return messages.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
}
