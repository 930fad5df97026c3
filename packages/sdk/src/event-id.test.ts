import t from 'tap';
import { createIdGenerator } from './event-id.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** The contract's id alphabet and length (schemas/src/events/event.schema.ts). */
const CONTRACT_ID = /^[A-Za-z0-9_.:@/+=-]{1,128}$/;

t.test('randomUUID when the runtime has it', (t) => {
  const next = createIdGenerator();
  const ids = new Set(Array.from({ length: 1000 }, next));
  t.equal(ids.size, 1000);
  for (const id of [...ids].slice(0, 5)) {
    t.match(id, UUID_V4);
    t.match(id, CONTRACT_ID);
  }
  t.end();
});

t.test('getRandomValues where randomUUID is missing (browsers on plain http)', (t) => {
  let calls = 0;
  const next = createIdGenerator({
    getRandomValues: (array) => {
      calls += 1;
      return globalThis.crypto.getRandomValues(array);
    },
  });
  const a = next();
  const b = next();
  t.match(a, UUID_V4);
  t.not(a, b);
  t.equal(calls, 2);
  t.end();
});

t.test('Math.random as the last resort still gives well-formed, distinct ids', (t) => {
  const next = createIdGenerator(null, Math.random);
  const ids = new Set(Array.from({ length: 1000 }, next));
  t.equal(ids.size, 1000);
  t.match([...ids][0], UUID_V4);
  const fixed = createIdGenerator(null, () => 0);
  t.equal(fixed(), '00000000-0000-4000-8000-000000000000', 'version and variant bits are set');
  t.end();
});
