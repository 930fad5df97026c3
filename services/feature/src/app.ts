/** The feature service's HTTP surface: operational routes only (it works off Kafka). */
import type { FastifyInstance } from 'fastify';
import { createHttpService, type ReadinessCheck } from '@recstream/http';
import type { Logger } from '@recstream/logger';
import type { ServiceMetrics } from '@recstream/metrics';

export function buildApp(deps: {
  logger: Logger;
  metrics: ServiceMetrics;
  checks: Record<string, ReadinessCheck>;
}): Promise<FastifyInstance> {
  return createHttpService({
    logger: deps.logger,
    title: 'recstream feature',
    version: '1.0.0',
    description: 'Keeps online features in Redis from the event stream. Operational endpoints only.',
    health: { registry: deps.metrics.registry, checks: deps.checks },
    metrics: deps.metrics,
  });
}
