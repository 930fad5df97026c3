import t from 'tap';
import type { TopicMessages } from 'kafkajs';
import { messageBytes } from './message-size.js';
import { createSendCoalescer, type CoalescerOptions } from './send-coalescer.js';

function harness(options: Partial<CoalescerOptions> = {}) {
  const batches: { topicMessages: TopicMessages[]; settle: (error?: Error) => void }[] = [];
  const coalescer = createSendCoalescer(
    (topicMessages) =>
      new Promise<void>((resolve, reject) => {
        batches.push({ topicMessages, settle: (error) => (error === undefined ? resolve() : reject(error)) });
      }),
    { maxConcurrent: 1, maxBatchMessages: 100, maxBatchBytes: 1_000_000, ...options },
  );
  const tick = () => new Promise((resolve) => setImmediate(resolve));
  const messages = (n: number, tag: string) => Array.from({ length: n }, (_, i) => ({ value: `${tag}${i}` }));
  return { coalescer, batches, tick, messages };
}

t.test('sends made while a batch is out leave together in the next one', async (t) => {
  const { coalescer, batches, tick, messages } = harness();
  const first = coalescer.send('events', messages(2, 'a'));
  await tick();
  t.equal(batches.length, 1, 'an idle coalescer sends at once');
  const second = coalescer.send('events', messages(3, 'b'));
  const third = coalescer.send('dlq', messages(1, 'c'));
  await tick();
  t.equal(batches.length, 1, 'nothing more while the one slot is busy');
  t.equal(coalescer.queuedSends, 2);
  batches[0]?.settle();
  await first;
  await tick();
  t.equal(batches.length, 2);
  t.same(
    batches[1]?.topicMessages.map((tm) => [tm.topic, tm.messages.length]),
    [
      ['events', 3],
      ['dlq', 1],
    ],
    'grouped by topic, in arrival order',
  );
  batches[1]?.settle();
  await Promise.all([second, third]);
});

t.test('a failed batch fails every send in it, and only those', async (t) => {
  const { coalescer, batches, tick, messages } = harness();
  const first = coalescer.send('events', messages(1, 'a'));
  await tick();
  const second = coalescer.send('events', messages(1, 'b'));
  batches[0]?.settle(new Error('broker gone'));
  await t.rejects(first, /broker gone/);
  await tick();
  batches[1]?.settle();
  await second;
  t.pass('the next batch is unaffected');
});

t.test('batches respect the message cap without splitting a send', async (t) => {
  const { coalescer, batches, tick, messages } = harness({ maxConcurrent: 1, maxBatchMessages: 5 });
  const busy = coalescer.send('events', messages(1, 'x'));
  await tick();
  const sends = [
    coalescer.send('events', messages(3, 'a')),
    coalescer.send('events', messages(3, 'b')),
    coalescer.send('events', messages(8, 'c')),
  ];
  batches[0]?.settle();
  await busy;
  for (let i = 1; i <= 3; i += 1) {
    await tick();
    batches[i]?.settle();
  }
  await Promise.all(sends);
  t.same(
    batches.slice(1).map((b) => b.topicMessages[0]?.messages.length),
    [3, 3, 8],
    'a batch stops before the cap; a send larger than the cap goes alone',
  );
});

t.test('several batches may be out at once when allowed', async (t) => {
  const { coalescer, batches, tick, messages } = harness({ maxConcurrent: 2, maxBatchMessages: 1 });
  const sends = [1, 2, 3].map((n) => coalescer.send('events', messages(1, String(n))));
  await tick();
  t.equal(batches.length, 2, 'two slots, two batches');
  batches.forEach((b) => b.settle());
  await tick();
  await tick();
  t.equal(batches.length, 3);
  batches[2]?.settle();
  await Promise.all(sends);
});

t.test('batches respect the byte bound: sends share a request only while they fit', async (t) => {
  const value = 'x'.repeat(936); // 1,000 bytes a message with the record overhead
  t.equal(messageBytes({ value }), 1_000);
  const { coalescer, batches, tick } = harness({ maxBatchBytes: 5_000 });
  const busy = coalescer.send('events', [{ value }]);
  await tick();
  const sends = [3, 3, 1].map((n) =>
    coalescer.send(
      'events',
      Array.from({ length: n }, () => ({ value })),
    ),
  );
  batches[0]?.settle();
  await busy;
  for (let i = 1; i <= 2; i += 1) {
    await tick();
    batches[i]?.settle();
  }
  await Promise.all(sends);
  t.same(
    batches.slice(1).map((b) => b.topicMessages[0]?.messages.length),
    [3, 4],
    'the second send waits for the next request; the third joins it',
  );
});

t.test('a send larger than the byte bound is split over consecutive requests, in order', async (t) => {
  const { coalescer, batches, tick } = harness({ maxBatchBytes: 2_500 });
  const values = Array.from({ length: 5 }, (_, i) => `${i}`.padEnd(936, '.'));
  const whole = coalescer.send(
    'events',
    values.map((value) => ({ value })),
  );
  let settled = false;
  void whole.then(() => (settled = true));
  for (let i = 0; i < 3; i += 1) {
    await tick();
    t.notOk(settled, 'not acknowledged before every part is');
    batches[i]?.settle();
  }
  await whole;
  t.same(
    batches.map((b) => b.topicMessages[0]?.messages.map((m) => String(m.value).charAt(0))),
    [['0', '1'], ['2', '3'], ['4']],
    'parts of at most the bound, in the original order',
  );
});

t.test('a split send fails if any part fails', async (t) => {
  const { coalescer, batches, tick } = harness({ maxBatchBytes: 1_500 });
  const whole = coalescer.send('events', [{ value: 'a'.repeat(936) }, { value: 'b'.repeat(936) }]);
  await tick();
  batches[0]?.settle();
  await tick();
  batches[1]?.settle(new Error('broker refused'));
  await t.rejects(whole, /broker refused/);
});
