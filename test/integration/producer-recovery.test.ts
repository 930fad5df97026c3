/**
 * The producer after a produce request that the broker refused in part, against the real broker.
 *
 * A request for two partitions where the broker appends one and refuses the other (here: records
 * over a topic's max.message.bytes) leaves kafkajs's idempotent sequence numbers behind the
 * broker's for the appended partition. The next send of the same size to that partition would be
 * taken for a retry: acknowledged, and not stored. The producer must recover by itself: every send
 * it acknowledges afterwards is in the topic.
 */
import t from 'tap';
import { createKafka, createProducer } from '@recstream/kafka';
import { infra, readTopic, testLogger, testNamespace } from '@recstream/testing';

t.test('a partly refused request leaves no send acknowledged and lost', async (t) => {
  const ns = testNamespace('prodrecover');
  const topic = `${ns.topicPrefix}small`;
  const kafka = createKafka({ brokers: [infra.kafkaBrokers], clientId: ns.id, logger: testLogger() });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({
    topics: [
      {
        topic,
        numPartitions: 2,
        replicationFactor: 1,
        configEntries: [{ name: 'max.message.bytes', value: '4096' }],
      },
    ],
    waitForLeaders: true,
  });
  const producer = createProducer(kafka, { timeoutMs: 15_000, compression: 'none' });
  await producer.connect();
  t.teardown(() => producer.disconnect());

  await producer.send(topic, [{ partition: 0, value: 'first' }]);
  // One request: a small record for partition 0 (appended) and too many bytes for partition 1.
  const big = 'x'.repeat(3000);
  await t.rejects(
    producer.send(topic, [
      { partition: 0, value: 'beside' },
      { partition: 1, value: big },
      { partition: 1, value: big },
    ]),
    'the request with the oversized partition batch fails',
  );

  const acknowledged: string[] = [];
  for (let i = 0; i < 6; i += 1) {
    const value = `after-${i}`;
    const sent = await producer.send(topic, [{ partition: 0, value }]).then(
      () => true,
      () => false,
    );
    if (sent) acknowledged.push(value);
  }
  t.ok(acknowledged.length >= 5, `later sends are acknowledged (${acknowledged.length} of 6)`);
  const stored = new Set((await readTopic(topic, { brokers: infra.kafkaBrokers })).map((m) => m.value));
  t.same(
    acknowledged.filter((value) => !stored.has(value)),
    [],
    'every acknowledged send is in the topic',
  );
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
});
