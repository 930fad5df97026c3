import t from 'tap';
import { MAX_DLQ_REASON_BYTES, type ProducerHandle } from '@recstream/kafka';
import { DLQ_HEADERS } from '@recstream/schemas';
import { createPublisher, MAX_PARKED_RECORD_BYTES } from './event-publisher.js';
import { capProblems, MAX_PROBLEMS_PER_RECORD } from './intake.js';

function recordingProducer() {
  const sent: { topic: string; messages: Parameters<ProducerHandle['send']>[1] }[] = [];
  const producer: ProducerHandle = {
    send: (topic, messages) => Promise.resolve(void sent.push({ topic, messages })),
    connect: () => Promise.resolve(),
    disconnect: () => Promise.resolve(),
    connected: true,
  };
  return { producer, sent };
}

t.test('a refused record is parked cut to a bound, whatever the client sent', async (t) => {
  const { producer, sent } = recordingProducer();
  const publisher = createPublisher(producer, { events: 'e', items: 'i', dlq: 'd' });
  const raw = `{"note":"${'é'.repeat(1_000_000)}"}`;
  const problems = Array.from({ length: 5000 }, (_, i) => ({
    field: `/k${i}`,
    reason: 'unexpected property',
  }));
  await publisher.parkRefused([{ raw, problems: capProblems(problems) }], '/v1/events');
  const parked = sent[0]?.messages[0];
  const value = String(parked?.value);
  t.ok(Buffer.byteLength(value) <= MAX_PARKED_RECORD_BYTES, 'the value is at most the bound');
  t.ok(raw.startsWith(value), 'and is the start of what was sent, on a character boundary');
  const reason = String(parked?.headers?.[DLQ_HEADERS.reason]);
  t.ok(Buffer.byteLength(reason) <= MAX_DLQ_REASON_BYTES, 'the reason header is bounded too');
  t.match(reason, /^\/k0 unexpected property/, 'and starts with the first problem');
});

t.test('problems per record are capped, with a count of the rest', (t) => {
  const problems = Array.from({ length: 50 }, (_, i) => ({ field: `/k${i}`, reason: 'x' }));
  const capped = capProblems(problems);
  t.equal(capped.length, MAX_PROBLEMS_PER_RECORD + 1);
  t.same(capped.at(-1), { field: '/', reason: `and ${50 - MAX_PROBLEMS_PER_RECORD} more problems` });
  t.equal(capProblems(problems.slice(0, 3)).length, 3, 'a few are kept as they are');
  t.end();
});
