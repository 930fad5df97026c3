/**
 * The operational API (scope `admin`): which experiments run with which variants and shares, and
 * which variant a given shopper gets on a flow — for QA ("show me variant B") and support
 * ("why did this shopper see that?").
 */
import type { FastifyInstance } from 'fastify';
import {
  AssignmentQuery,
  AssignmentResponse,
  ExperimentsResponse,
  type AssignmentQuery as AssignmentQueryType,
} from '@recstream/schemas';
import { assignmentUnit } from '../experiments/assignment.js';
import type { Experiments } from '../experiments/experiments.js';

export function registerAdminRoutes(app: FastifyInstance, deps: { experiments: Experiments }): void {
  app.get(
    '/v1/admin/experiments',
    {
      schema: {
        summary: 'Experiments running, with their variants and shares',
        tags: ['admin'],
        response: { 200: ExperimentsResponse },
      },
    },
    () => ({ experiments: deps.experiments.describe() }),
  );

  app.get<{ Querystring: AssignmentQueryType }>(
    '/v1/admin/experiments/assignment',
    {
      schema: {
        summary: 'The experiment and variant a shopper is assigned to on a flow',
        tags: ['admin'],
        querystring: AssignmentQuery,
        response: { 200: AssignmentResponse },
      },
    },
    (request) => {
      const { flow, user_id, anonymous_id, session_id } = request.query;
      const subject = { userId: user_id, anonymousId: anonymous_id, sessionId: session_id };
      const arm = deps.experiments.arm(flow, subject);
      return {
        flow,
        unit: assignmentUnit(subject) ?? null,
        experiment: arm.experiment ?? null,
        variant: arm.variant ?? null,
      };
    },
  );
}
