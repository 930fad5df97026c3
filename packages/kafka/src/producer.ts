/**
 * The product's producer: idempotent, acknowledged by all in-sync replicas. A send that Kafka has
 * not acknowledged within `timeoutMs` fails with a transient error, so an HTTP caller can answer
 * 503 instead of hanging while the broker is away.
 */
import type { Kafka, Message, Producer } from 'kafkajs';
import { ERROR_CODES, TransientError, errorMessage } from '@recstream/errors';

export interface ProducerHandle {
  send(topic: string, messages: Message[]): Promise<void>;
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  readonly connected: boolean;
}

export function createProducer(kafka: Kafka, options: { timeoutMs: number }): ProducerHandle {
  const producer: Producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 5,
    allowAutoTopicCreation: false,
  });
  let connected = false;
  producer.on(producer.events.CONNECT, () => (connected = true));
  producer.on(producer.events.DISCONNECT, () => (connected = false));

  return {
    async send(topic, messages) {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          producer.send({ topic, messages, acks: -1 }),
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
