import t from 'tap';
import { createLogger } from '@recstream/logger';
import { createMetrics } from '@recstream/metrics';
import { createHttpService } from './index.js';

t.test('every answered request is timed by route pattern and status', async (t) => {
  const metrics = createMetrics('probe', { defaultMetrics: false });
  const app = await createHttpService({
    logger: createLogger({ service: 'test', level: 'silent' }),
    title: 'probe',
    version: '0',
    description: 'probe',
    health: { registry: metrics.registry, checks: {} },
    metrics,
  });
  app.get('/v1/things/:id', () => ({ ok: true }));
  t.teardown(() => app.close());
  await app.inject({ method: 'GET', url: '/v1/things/1' });
  await app.inject({ method: 'GET', url: '/v1/things/2' });
  await app.inject({ method: 'GET', url: '/nowhere' });
  const text = await metrics.registry.metrics();
  t.match(
    text,
    /^rec_probe_http_request_duration_seconds_count\{method="GET",route="\/v1\/things\/:id",status="200"\} 2$/m,
    'one series for the route pattern, whatever the id',
  );
  t.match(
    text,
    /rec_probe_http_request_duration_seconds_count\{method="GET",route="unmatched",status="404"\} 1/m,
  );
});
