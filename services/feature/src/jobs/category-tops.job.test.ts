import t from 'tap';
import { createLogger } from '@recstream/logger';
import { createMetrics } from '@recstream/metrics';
import { startCategoryTopsJob } from './category-tops.job.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

t.test('refreshes every interval, counts items and failures, and retries after a failure', async (t) => {
  const metrics = createMetrics('feature', { defaultMetrics: false });
  const outcomes: (number | Error)[] = [3, new Error('redis went away'), 2];
  let calls = 0;
  const job = startCategoryTopsJob({
    refresh: () => {
      const outcome = outcomes[calls] ?? 0;
      calls += 1;
      return outcome instanceof Error ? Promise.reject(outcome) : Promise.resolve(outcome);
    },
    intervalMs: 10,
    logger: createLogger({ service: 'feature', level: 'silent' }),
    metrics,
  });
  while (calls < 4) await sleep(5);
  await job.stop();
  const text = await metrics.registry.metrics();
  t.match(text, /rec_feature_category_tops_refreshed_items_total 5/, 'items of the successful refreshes');
  t.match(text, /rec_feature_category_tops_refresh_failures_total 1/, 'the failure, counted');
  const after = calls;
  await sleep(30);
  t.equal(calls, after, 'no refresh after stop');
});

t.test('stop waits for a refresh in progress; refreshes never overlap', async (t) => {
  let running = 0;
  let overlapped = false;
  let finished = 0;
  const job = startCategoryTopsJob({
    refresh: async () => {
      running += 1;
      if (running > 1) overlapped = true;
      await sleep(25);
      running -= 1;
      finished += 1;
      return 1;
    },
    intervalMs: 5,
    logger: createLogger({ service: 'feature', level: 'silent' }),
    metrics: createMetrics('feature', { defaultMetrics: false }),
  });
  await sleep(12);
  await job.stop();
  t.equal(running, 0, 'the refresh in progress finished before stop resolved');
  t.ok(finished >= 1);
  t.notOk(overlapped, 'one at a time');
});
