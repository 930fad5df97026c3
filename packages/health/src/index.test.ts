import Fastify from 'fastify';
import { Counter, Registry } from 'prom-client';
import t from 'tap';
import { registerHealthRoutes, runReadinessChecks } from './index.js';

t.test('runReadinessChecks', (t) => {
  t.test('a hanging check times out instead of hanging the probe', async (t) => {
    const started = Date.now();
    const result = await runReadinessChecks(
      { kafka: () => new Promise<void>(() => undefined), redis: () => Promise.resolve() },
      50,
    );
    t.ok(Date.now() - started < 2000, 'answered promptly');
    t.equal(result.ready, false);
    t.match(result.checks, { kafka: /timed out after 50 ms/, redis: 'ok' });
  });

  t.test('ready only when every check passes; failures carry their message', async (t) => {
    t.same(await runReadinessChecks({ a: () => Promise.resolve(), b: () => Promise.resolve() }, 100), {
      ready: true,
      checks: { a: 'ok', b: 'ok' },
    });
    t.same(
      await runReadinessChecks(
        { a: () => Promise.resolve(), b: () => Promise.reject(new Error('connection refused')) },
        100,
      ),
      {
        ready: false,
        checks: { a: 'ok', b: 'connection refused' },
      },
    );
    t.same(await runReadinessChecks({}, 100), { ready: true, checks: {} }, 'no dependency, ready');
    t.same(
      await runReadinessChecks(
        { model: () => Promise.resolve('sasrec@v3'), c: () => Promise.resolve('') },
        100,
      ),
      { ready: true, checks: { model: 'sasrec@v3', c: 'ok' } },
      'a passing check may say more than ok',
    );
  });

  t.test('a check that throws synchronously is reported, not thrown', async (t) => {
    const result = await runReadinessChecks(
      {
        bad: () => {
          throw new Error('not configured');
        },
      },
      100,
    );
    t.same(result, { ready: false, checks: { bad: 'not configured' } });
  });
  t.end();
});

t.test('health routes on a bare Fastify app', async (t) => {
  let redisUp = true;
  const registry = new Registry();
  new Counter({ name: 'rec_test_things_total', help: 'things', registers: [registry] }).inc(3);
  const app = Fastify();
  registerHealthRoutes(app, {
    registry,
    checks: { redis: () => (redisUp ? Promise.resolve() : Promise.reject(new Error('ECONNREFUSED'))) },
    checkTimeoutMs: 100,
  });
  t.teardown(() => app.close());

  const ready = await app.inject({ method: 'GET', url: '/readyz' });
  t.equal(ready.statusCode, 200);
  t.same(ready.json(), { status: 'ready', checks: { redis: 'ok' } });

  redisUp = false;
  const notReady = await app.inject({ method: 'GET', url: '/readyz' });
  t.equal(notReady.statusCode, 503, 'a failing dependency makes the service not ready');
  t.same(notReady.json(), { status: 'not ready', checks: { redis: 'ECONNREFUSED' } });

  const live = await app.inject({ method: 'GET', url: '/livez' });
  t.equal(live.statusCode, 200, 'still live: a restart would not fix a dependency');

  const metrics = await app.inject({ method: 'GET', url: '/metrics' });
  t.equal(metrics.statusCode, 200);
  t.match(metrics.headers['content-type'], /^text\/plain/);
  t.match(metrics.body, /^rec_test_things_total 3$/m);
});

t.test('a flood of /readyz probes runs the checks a few times, not once a probe', async (t) => {
  let runs = 0;
  let healthy = true;
  const app = Fastify();
  registerHealthRoutes(app, {
    registry: new Registry(),
    checks: {
      redis: async () => {
        runs += 1;
        await new Promise((resolve) => setTimeout(resolve, 20));
        if (!healthy) throw new Error(`connection refused ${'x'.repeat(5000)}`);
      },
    },
  });
  t.teardown(() => app.close());
  const probe = () => app.inject({ method: 'GET', url: '/readyz' });
  const answers = await Promise.all(Array.from({ length: 200 }, probe));
  t.ok(
    answers.every((a) => a.statusCode === 200),
    'every probe answered',
  );
  t.equal(runs, 1, 'probes arriving together share one run');
  healthy = false;
  const after = await probe();
  t.equal(after.statusCode, 503, 'the next probe runs the checks again and sees the failure');
  t.equal(runs, 2);
  t.ok(after.body.length < 400, 'a failed check says a bounded message');
});
