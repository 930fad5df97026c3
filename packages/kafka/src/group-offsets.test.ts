import t from 'tap';
import type { Admin } from 'kafkajs';
import { hasCommittedOffsets } from './group-offsets.js';

type Offsets = Awaited<ReturnType<Admin['fetchOffsets']>>;

/** An admin whose fetchOffsets answers from a script: errors are thrown, offsets returned. */
function scriptedAdmin(script: (Error | Offsets)[]) {
  let calls = 0;
  const admin = {
    fetchOffsets: () => {
      const next = script[Math.min(calls, script.length - 1)] as Error | Offsets;
      calls += 1;
      return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
    },
  } as unknown as Admin;
  return { admin, calls: () => calls };
}

const retriable = (message: string) => Object.assign(new Error(message), { retriable: true });
const offsets = (...values: string[]): Offsets => [
  { topic: 'events', partitions: values.map((offset, partition) => ({ partition, offset, metadata: null })) },
];

t.test('committed offsets: any partition at or past 0', async (t) => {
  t.equal(await hasCommittedOffsets(scriptedAdmin([offsets('-1', '-1')]).admin, 'g', 'events'), false);
  t.equal(await hasCommittedOffsets(scriptedAdmin([offsets('-1', '42')]).admin, 'g', 'events'), true);
});

t.test('a coordinator still loading is waited for', async (t) => {
  const { admin, calls } = scriptedAdmin([
    retriable('The coordinator is loading and hence can not process requests for this group'),
    retriable('This is not the correct coordinator for this group'),
    offsets('7'),
  ]);
  t.equal(await hasCommittedOffsets(admin, 'g', 'events'), true);
  t.equal(calls(), 3, 'asked again until it answered');
});

t.test('an error no retry can cure is thrown at once; retries are bounded', async (t) => {
  const fatal = scriptedAdmin([new Error('group authorization failed')]);
  await t.rejects(hasCommittedOffsets(fatal.admin, 'g', 'events'), /authorization/);
  t.equal(fatal.calls(), 1);
  const stuck = scriptedAdmin([retriable('not the correct coordinator')]);
  await t.rejects(
    hasCommittedOffsets(stuck.admin, 'g', 'events', { attempts: 3 }),
    /not the correct coordinator/,
  );
  t.equal(stuck.calls(), 3);
});
