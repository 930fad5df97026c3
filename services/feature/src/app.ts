/** The feature service's HTTP surface: operational routes only (it works off Kafka). */
import type { FastifyInstance } from 'fastify';
import { createOperationalService, type OperationalServiceDeps } from '@recstream/http';

export function buildApp(deps: OperationalServiceDeps): Promise<FastifyInstance> {
  return createOperationalService('feature', 'Keeps online features in Redis from the event stream.', deps);
}
