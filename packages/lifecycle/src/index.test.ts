import t from 'tap';
import { createLogger } from '@recstream/logger';
import { createLifecycle, type Stoppable } from './index.js';

const logger = createLogger({ service: 'test', level: 'silent' });

function component(
  name: string,
  log: string[],
  stop: () => Promise<void> = () => Promise.resolve(),
): Stoppable {
  return {
    name,
    stop: async () => {
      log.push(`${name}:start`);
      await stop();
      log.push(`${name}:done`);
    },
  };
}

t.test('stops components in reverse order of registration, one after another', async (t) => {
  const log: string[] = [];
  const lifecycle = createLifecycle({ logger, deadlineMs: 5000 });
  const slow = () => new Promise<void>((resolve) => setTimeout(resolve, 20));
  lifecycle.add(component('clients', log));
  lifecycle.add(component('producers', log, slow));
  lifecycle.add(component('writers', log, slow));
  lifecycle.add(component('intake', log));
  t.notOk(lifecycle.stopping);
  const clean = await lifecycle.shutdown('test');
  t.equal(clean, true);
  t.ok(lifecycle.stopping);
  t.same(
    log,
    [
      'intake:start',
      'intake:done',
      'writers:start',
      'writers:done',
      'producers:start',
      'producers:done',
      'clients:start',
      'clients:done',
    ],
    'each waits for the one registered after it',
  );
});

t.test('a component that fails to stop does not keep the others from stopping', async (t) => {
  const log: string[] = [];
  const lifecycle = createLifecycle({ logger, deadlineMs: 5000 });
  lifecycle.add(component('first', log));
  lifecycle.add(component('broken', log, () => Promise.reject(new Error('cannot stop'))));
  lifecycle.add(component('last', log));
  t.equal(await lifecycle.shutdown('test'), false, 'reported as not clean');
  t.same(log, ['last:start', 'last:done', 'broken:start', 'first:start', 'first:done']);
});

t.test('a component that hangs past the deadline makes shutdown resolve false', async (t) => {
  const log: string[] = [];
  const lifecycle = createLifecycle({ logger, deadlineMs: 50 });
  lifecycle.add(component('never', log, () => new Promise<void>(() => undefined)));
  // The deadline timer is unref'd; in a real service sockets keep the process alive meanwhile.
  const keepAlive = setInterval(() => undefined, 1000);
  t.teardown(() => clearInterval(keepAlive));
  const started = Date.now();
  t.equal(await lifecycle.shutdown('test'), false);
  t.ok(Date.now() - started < 2000, 'does not wait for the hung component');
});

t.test('shutdown runs once, however often it is asked', async (t) => {
  const log: string[] = [];
  const lifecycle = createLifecycle({ logger, deadlineMs: 5000 });
  lifecycle.add(component('only', log));
  const [a, b] = await Promise.all([lifecycle.shutdown('SIGTERM'), lifecycle.shutdown('SIGINT')]);
  t.equal(a, true);
  t.equal(b, true);
  t.same(log, ['only:start', 'only:done'], 'stopped once');
});
