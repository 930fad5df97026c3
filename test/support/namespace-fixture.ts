/**
 * A test namespace with its ClickHouse database, topics and a producer, torn down with the test:
 * what sink-side tests need before they produce to Kafka and start the services they watch.
 */
import type { Test } from 'tap';
import type { ClickHouse } from '@recstream/clickhouse';
import type { ProducerHandle } from '@recstream/kafka';
import {
  connectTestKafka,
  createTestDatabase,
  createTestTopics,
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
  const clickhouse = await createTestDatabase(ns);
  await createTestTopics(ns);
  const { producer } = await connectTestKafka(ns, { timeoutMs: 20_000 });
  const services: RunningService[] = [];
  t.teardown(async () => {
    for (const service of services) await service.stop('SIGKILL');
    await producer.disconnect();
    await clickhouse.close();
    await dropTestDatabase(ns);
    await deleteTestTopics(ns);
  });
  return { clickhouse, producer, services };
}
