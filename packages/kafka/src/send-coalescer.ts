/**
 * Group commit for the producer: concurrent `send` calls share Kafka produce requests.
 *
 * Every HTTP request to the collector needs its own acknowledgement, but a produce request per HTTP
 * request caps throughput at (requests in flight) ÷ (broker round trip) — about 15k events/s on
 * one broker, whatever the CPU. Here sends that arrive while `maxConcurrent` produce requests are
 * out wait and then leave together in one request, so batches grow with load and latency stays
 * one round trip when idle (as Kafka's own clients do with linger.ms, without a fixed delay).
 * A produce request succeeds or fails for every send in it.
 *
 * Requests are bounded in bytes as well as in messages (see message-size.ts): a send larger than
 * the byte bound is split over consecutive requests, in order, and resolves when all its parts are
 * acknowledged, so one client's large batch can never make a request that Kafka refuses for all.
 */
import type { Message, TopicMessages } from 'kafkajs';
import { messageBytes } from './message-size.js';

export interface CoalescerOptions {
  /** Produce requests in flight at once. */
  readonly maxConcurrent: number;
  /** Messages per produce request (sends are not split for this; one larger send goes alone). */
  readonly maxBatchMessages: number;
  /** Bytes per produce request, before compression (`messageBytes`); larger sends are split. */
  readonly maxBatchBytes: number;
}

interface PendingSend {
  readonly topic: string;
  readonly messages: Message[];
  readonly bytes: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export type SendBatch = (topicMessages: TopicMessages[]) => Promise<void>;

export function createSendCoalescer(sendBatch: SendBatch, options: CoalescerOptions) {
  const queue: PendingSend[] = [];
  let inFlight = 0;
  let scheduled = false;

  function takeBatch(): PendingSend[] {
    const taken: PendingSend[] = [];
    let messages = 0;
    let bytes = 0;
    while (queue.length > 0) {
      const next = queue[0];
      if (next === undefined) break;
      const full =
        messages + next.messages.length > options.maxBatchMessages ||
        bytes + next.bytes > options.maxBatchBytes;
      if (taken.length > 0 && full) break;
      taken.push(next);
      messages += next.messages.length;
      bytes += next.bytes;
      queue.shift();
    }
    return taken;
  }

  function toTopicMessages(sends: readonly PendingSend[]): TopicMessages[] {
    const byTopic = new Map<string, Message[]>();
    for (const send of sends) {
      const list = byTopic.get(send.topic);
      if (list === undefined) byTopic.set(send.topic, [...send.messages]);
      else list.push(...send.messages);
    }
    return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
  }

  function flush(): void {
    scheduled = false;
    while (inFlight < options.maxConcurrent && queue.length > 0) {
      const sends = takeBatch();
      inFlight += 1;
      sendBatch(toTopicMessages(sends))
        .then(
          () => sends.forEach((send) => send.resolve()),
          (error: unknown) => sends.forEach((send) => send.reject(error)),
        )
        .finally(() => {
          inFlight -= 1;
          flush();
        });
    }
  }

  function enqueue(topic: string, messages: Message[], bytes: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      queue.push({ topic, messages, bytes, resolve, reject });
      // Sends made in the same tick (one HTTP request's records, several parsers' callbacks)
      // leave together; a free slot is used on the next turn of the event loop.
      if (!scheduled && inFlight < options.maxConcurrent) {
        scheduled = true;
        setImmediate(flush);
      }
    });
  }

  return {
    send(topic: string, messages: Message[]): Promise<void> {
      const parts = splitByBytes(messages, options.maxBatchBytes);
      if (parts.length === 1) return enqueue(topic, messages, parts[0]?.bytes ?? 0);
      return Promise.all(parts.map((part) => enqueue(topic, part.messages, part.bytes))).then(
        () => undefined,
      );
    },
    get queuedSends() {
      return queue.length;
    },
  };
}

/** Consecutive runs of messages of at most `maxBytes` each (a larger message is a run alone). */
function splitByBytes(messages: Message[], maxBytes: number): { messages: Message[]; bytes: number }[] {
  const parts: { messages: Message[]; bytes: number }[] = [];
  let current: { messages: Message[]; bytes: number } = { messages: [], bytes: 0 };
  for (const message of messages) {
    const bytes = messageBytes(message);
    if (current.messages.length > 0 && current.bytes + bytes > maxBytes) {
      parts.push(current);
      current = { messages: [], bytes: 0 };
    }
    current.messages.push(message);
    current.bytes += bytes;
  }
  parts.push(current);
  return parts;
}
