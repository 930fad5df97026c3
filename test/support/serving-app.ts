/**
 * A serving app for a test, built as the service builds it and closed with the test. Logs are
 * silent, metrics fresh and readiness unchecked unless the test says otherwise.
 */
import type { Test } from 'tap';
import { createLogger } from '@recstream/logger';
import { createMetrics } from '@recstream/metrics';
import { buildApp, composeServing, type ServingDeps } from '@recstream/serving/app';

type ServingApp = Awaited<ReturnType<typeof buildApp>>;

export type TestServingDeps = Pick<ServingDeps, 'redis' | 'redisPrefix' | 'maxK'> & Partial<ServingDeps>;

export async function servingApp(t: Test, deps: TestServingDeps): Promise<ServingApp> {
  const app = await buildApp(
    composeServing({
      logger: deps.logger ?? createLogger({ service: 'test', level: 'silent' }),
      metrics: deps.metrics ?? createMetrics('serving', { defaultMetrics: false }),
      checks: {},
      ...deps,
    }),
  );
  t.teardown(() => app.close());
  return app;
}
