/**
 * A test namespace with its ClickHouse database, topics and a producer, torn down with the test:
 * what sink-side tests need before they produce to Kafka and start the services they watch; or
 * the database and topics alone.
 */
import type { Test } from 'tap';
import type { ClickHouse } from '@recstream/clickhouse';
import type { ProducerHandle } from '@recstream/kafka';
import {
  connectTestKafka,
  createTestDatabase,
  createTestTopics,
  deleteTestKeys,
  deleteTestTopics,
  dropTestDatabase,
  type RunningService,
  type TestNamespace,
} from '@recstream/testing';

export interface NamespaceFixture {
  readonly clickhouse: ClickHouse;
  readonly producer: ProducerHandle;
  /** Services started by the test: SIGKILLed at teardown. */
  readonly services: RunningService[];
}

export async function namespaceFixture(t: Test, ns: TestNamespace): Promise<NamespaceFixture> {
  const clickhouse = await namespaceDatabase(t, ns);
  const { producer } = await connectTestKafka(ns, { timeoutMs: 20_000 });
  const services: RunningService[] = [];
  // Runs before the database is dropped (teardowns run last registered first).
  t.teardown(async () => {
    for (const service of services) await service.stop('SIGKILL');
    await producer.disconnect();
  });
  return { clickhouse, producer, services };
}

/**
 * The namespace's ClickHouse database and topics, for tests that bring their own clients: when
 * the test ends the database is dropped and the topics deleted, with the namespace's Redis keys
 * when `redisKeys`.
 */
export async function namespaceDatabase(
  t: Test,
  ns: TestNamespace,
  options: { readonly redisKeys?: boolean } = {},
): Promise<ClickHouse> {
  const clickhouse = await createTestDatabase(ns);
  await createTestTopics(ns);
  t.teardown(async () => {
    await clickhouse.close();
    await dropTestDatabase(ns);
    await deleteTestTopics(ns);
    if (options.redisKeys === true) await deleteTestKeys(ns);
  });
  return clickhouse;
}
