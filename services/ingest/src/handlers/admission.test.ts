import t from 'tap';
import { ERROR_CODES, TransientError } from '@recstream/errors';
import { createMetrics } from '@recstream/metrics';
import { createAdmission, withAdmission } from './admission.js';
import type { Publisher } from './event-publisher.js';

function deferred() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

t.test('records beyond the in-flight bound are refused at once with a transient 503', async (t) => {
  const admission = createAdmission(10);
  const first = deferred();
  const pending = admission.admit(6, () => first.promise);
  t.equal(admission.inFlight, 6);
  const refused = admission.admit(5, () => Promise.resolve());
  await t.rejects(refused, TransientError, 'over the bound');
  await refused.catch((error: unknown) => {
    t.equal((error as TransientError).code, ERROR_CODES.overloaded);
    t.equal((error as TransientError).details['statusCode'], 503);
  });
  await admission.admit(4, () => Promise.resolve());
  t.pass('what still fits is admitted');
  first.resolve();
  await pending;
  t.equal(admission.inFlight, 0, 'places are released on success');
  await admission.admit(10, () => Promise.resolve());
  t.pass('the full bound is usable again');
});

t.test('places are released when the send fails, and the failure propagates', async (t) => {
  const admission = createAdmission(5);
  await t.rejects(
    admission.admit(5, () => Promise.reject(new Error('broker gone'))),
    /broker gone/,
  );
  t.equal(admission.inFlight, 0);
});

t.test('withAdmission guards every publisher method and reports metrics', async (t) => {
  const metrics = createMetrics('ingest');
  const admission = createAdmission(3, metrics);
  const hold = deferred();
  const sent: string[] = [];
  const publisher: Publisher = {
    publishEvents: async (events) => {
      sent.push(`events:${events.length}`);
      await hold.promise;
    },
    deleteItems: (ids) => {
      sent.push(`deleted:${ids.length}`);
      return Promise.resolve();
    },
    publishItems: (items) => {
      sent.push(`items:${items.length}`);
      return Promise.resolve();
    },
    parkRefused: (records) => {
      sent.push(`refused:${records.length}`);
      return Promise.resolve();
    },
  };
  const guarded = withAdmission(publisher, admission);
  const slow = guarded.publishEvents([{}, {}] as never);
  await t.rejects(guarded.publishItems([{}, {}] as never), TransientError);
  await t.rejects(guarded.parkRefused([{}, {}] as never, '/v1/events'), TransientError);
  const text = await metrics.registry.metrics();
  t.match(text, /rec_ingest_inflight_records 2/);
  t.match(text, /rec_ingest_admission_refused_records_total 4/);
  hold.resolve();
  await slow;
  await guarded.parkRefused([{}] as never, '/v1/events');
  t.same(sent, ['events:2', 'refused:1'], 'refused sends never reach Kafka');
});
