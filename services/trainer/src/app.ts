/** The trainer's HTTP surface: operational routes only (work arrives as BullMQ jobs). */
import type { FastifyInstance } from 'fastify';
import { createOperationalService, type OperationalServiceDeps } from '@recstream/http';

export function buildApp(deps: OperationalServiceDeps): Promise<FastifyInstance> {
  return createOperationalService('trainer', 'Trains and publishes model versions.', deps);
}
