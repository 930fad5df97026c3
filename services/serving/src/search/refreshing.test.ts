import t from 'tap';
import { createLogger } from '@recstream/logger';
import { createRefreshing } from './refreshing.js';

const logger = createLogger({ service: 'test', level: 'silent' });

t.test('a failed build keeps the last value; concurrent refreshes share one build', async (t) => {
  let builds = 0;
  let fail = false;
  const failures: unknown[] = [];
  const value = createRefreshing({
    name: 'test',
    initial: 0,
    intervalMs: 0,
    logger,
    build: async () => {
      builds += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (fail) throw new Error('down');
      return builds;
    },
    onFailed: (error) => failures.push(error),
  });
  t.equal(value.current(), 0);
  t.same(await Promise.all([value.refresh(), value.refresh()]), [true, true]);
  t.equal(builds, 1, 'joined the running build');
  t.equal(value.current(), 1);
  fail = true;
  t.equal(await value.refresh(), false);
  t.equal(value.current(), 1, 'the last good value stays');
  t.equal(failures.length, 1);
  await value.stop();
});

t.test('start refreshes on the interval until stopped', async (t) => {
  let builds = 0;
  const value = createRefreshing({
    name: 'test',
    initial: 0,
    intervalMs: 10,
    logger,
    build: () => Promise.resolve(++builds),
  });
  value.start();
  await new Promise((resolve) => setTimeout(resolve, 60));
  await value.stop();
  const stoppedAt = builds;
  t.ok(stoppedAt >= 2, `refreshed ${stoppedAt} times`);
  await new Promise((resolve) => setTimeout(resolve, 30));
  t.equal(builds, stoppedAt, 'no refresh after stop');
});

t.test('with a stamp, an unchanged source is not rebuilt; a moved or missing stamp rebuilds', async (t) => {
  let builds = 0;
  let skipped = 0;
  let stamp: string | undefined = '7';
  let fail = false;
  const value = createRefreshing({
    name: 'test',
    initial: 0,
    intervalMs: 0,
    logger,
    stamp: () => Promise.resolve(stamp),
    build: () => (fail ? Promise.reject(new Error('down')) : Promise.resolve(++builds)),
    onSkipped: () => (skipped += 1),
  });
  t.ok(await value.refresh());
  t.ok(await value.refresh());
  t.equal(builds, 1, 'the second refresh found the same stamp');
  t.equal(skipped, 1);
  stamp = '8';
  fail = true;
  t.equal(await value.refresh(), false, 'a moved stamp rebuilds (and this build fails)');
  fail = false;
  t.ok(await value.refresh());
  t.equal(builds, 2, 'a failed build does not record its stamp: the next refresh builds');
  stamp = undefined;
  t.ok(await value.refresh());
  t.ok(await value.refresh());
  t.equal(builds, 4, 'without a stamp, every refresh builds');
  await value.stop();
});
