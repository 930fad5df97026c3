import { getEventListeners } from 'node:events';
import t from 'tap';
import { ERROR_CODES, PermanentError, TransientError } from './index.js';
import { backoffDelayMs, retryTransient, sleep } from './retry.js';

const transient = (n: number) => new TransientError(ERROR_CODES.unavailable, `down ${n}`);

/** An operation that throws the given errors in turn, then returns 'done'. */
function failing(...errors: Error[]) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    run: () => {
      const error = errors[calls];
      calls += 1;
      return error === undefined ? Promise.resolve('done') : Promise.reject(error);
    },
  };
}

t.test('retryTransient', (t) => {
  t.test('retries transient errors and returns the eventual result', async (t) => {
    const op = failing(transient(1), transient(2));
    const retries: number[] = [];
    const result = await retryTransient(op.run, {
      attempts: 3,
      baseMs: 1,
      maxMs: 2,
      onRetry: (_e, attempt) => retries.push(attempt),
    });
    t.equal(result, 'done');
    t.equal(op.calls, 3);
    t.same(retries, [0, 1], 'told about each retry');
  });

  t.test('gives up after `attempts` tries in all and throws the last error', async (t) => {
    const last = transient(3);
    const op = failing(transient(1), transient(2), last, transient(4));
    await t.rejects(retryTransient(op.run, { attempts: 3, baseMs: 1, maxMs: 2 }), last);
    t.equal(op.calls, 3);
  });

  t.test('a permanent error is thrown at once', async (t) => {
    const bad = new PermanentError(ERROR_CODES.invalidInput, 'bad');
    const op = failing(bad);
    await t.rejects(retryTransient(op.run, { attempts: 5, baseMs: 1 }), bad);
    t.equal(op.calls, 1);
  });

  t.test('an unclassified error is not retried', async (t) => {
    const op = failing(new Error('boom'));
    await t.rejects(retryTransient(op.run, { attempts: 5, baseMs: 1 }), { message: 'boom' });
    t.equal(op.calls, 1);
  });

  t.test('an aborted signal stops the retries', async (t) => {
    const controller = new AbortController();
    const op = failing(transient(1), transient(2), transient(3));
    const started = Date.now();
    const run = retryTransient(op.run, {
      attempts: 10,
      baseMs: 60_000,
      maxMs: 60_000,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 20);
    await t.rejects(run, { message: 'down 2' });
    t.equal(op.calls, 2, 'the sleep ended early, one more try, then no more');
    t.ok(Date.now() - started < 5000, 'did not wait for the backoff');
  });
  t.end();
});

t.test('backoffDelayMs stays within [ceiling/2, ceiling], ceiling = min(max, base·2^attempt)', (t) => {
  t.equal(
    backoffDelayMs(0, 100, 10_000, () => 0),
    50,
    'lowest first delay',
  );
  t.equal(
    backoffDelayMs(0, 100, 10_000, () => 1),
    100,
    'highest first delay',
  );
  t.equal(
    backoffDelayMs(3, 100, 10_000, () => 0.5),
    600,
    '800 ceiling, three quarters',
  );
  t.equal(
    backoffDelayMs(20, 100, 10_000, () => 1),
    10_000,
    'capped at maxMs',
  );
  t.equal(
    backoffDelayMs(5000, 100, 10_000, () => 1),
    10_000,
    'a huge attempt number is still capped (2^5000 is Infinity)',
  );
  let violations = 0;
  for (let attempt = 0; attempt < 80; attempt += 1) {
    const ceiling = Math.min(10_000, 100 * 2 ** attempt);
    for (const r of [0, 0.1, 0.5, 0.9, 0.999999, Math.random()]) {
      const delay = backoffDelayMs(attempt, 100, 10_000, () => r);
      if (!(delay >= Math.floor(ceiling / 2) && delay <= ceiling && Number.isFinite(delay))) violations += 1;
    }
  }
  t.equal(violations, 0, 'no delay outside its bounds for attempts 0..79');
  const defaults = backoffDelayMs(0);
  t.ok(defaults >= 50 && defaults <= 100, 'defaults: base 100 ms');
  t.end();
});

t.test('sleep ends early when aborted', async (t) => {
  const controller = new AbortController();
  const started = Date.now();
  setTimeout(() => controller.abort(), 10);
  await sleep(60_000, controller.signal);
  t.ok(Date.now() - started < 5000);
  const aborted = AbortSignal.abort();
  const again = Date.now();
  await sleep(60_000, aborted);
  t.ok(Date.now() - again < 1000, 'an already aborted signal returns at once');
});

void t.test('sleep leaves no listener on a long-lived signal once its timer fires', async (t) => {
  // The consumer runner sleeps between retries on the one signal that stops it: a listener left
  // behind per sleep would grow without bound through a long outage.
  const controller = new AbortController();
  for (let i = 0; i < 20; i++) await sleep(1, controller.signal);
  t.equal(getEventListeners(controller.signal, 'abort').length, 0);
});
