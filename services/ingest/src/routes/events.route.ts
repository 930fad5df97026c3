/**
 * POST /v1/events — one event, a JSON array, or NDJSON. Each record gets its own verdict: the valid
 * ones are enriched and made durable in Kafka before we answer 202; the invalid ones are listed with
 * the field and reason. Nothing is acknowledged that Kafka has not acknowledged.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ERROR_CODES } from '@recstream/errors';
import {
  ClickstreamEvent,
  CollectorAcceptedResponse as AcceptedResponse,
  CollectorErrorResponse as ErrorResponse,
  type CollectorAcceptedResponse as Accepted,
  type ContractValidators,
} from '@recstream/schemas';
import type { Publisher } from '../handlers/event-publisher.js';
import { judgeEvents } from '../handlers/intake.js';
import { assertBatchSize, bodyRecords } from './batch-body.js';
import type { IngestMetrics } from '../ingest.metrics.js';

export interface EventsRouteDeps {
  readonly validators: ContractValidators;
  readonly publisher: Publisher;
  readonly metrics: IngestMetrics;
  readonly maxBatchEvents: number;
  readonly maxFutureSkewMs: number;
  readonly maxPastAgeMs: number;
  /** The source that sent the request (its write key's), written into each event. */
  readonly sourceOf: (request: FastifyRequest) => string;
  readonly now?: () => Date;
}

export function registerEventsRoute(app: FastifyInstance, deps: EventsRouteDeps): void {
  const now = deps.now ?? (() => new Date());
  app.post(
    '/v1/events',
    {
      schema: {
        summary: 'Track clickstream events',
        description: `A single event, a JSON array of up to ${deps.maxBatchEvents} events, or NDJSON (application/x-ndjson).`,
        tags: ['events'],
        body: ClickstreamEvent,
        response: { 202: AcceptedResponse, 400: ErrorResponse, 413: ErrorResponse, 503: ErrorResponse },
      },
      // Per-record verdicts are ours to give; the body schema above documents the contract.
      validatorCompiler: () => () => true,
    },
    async (request, reply) => {
      const records = bodyRecords(request.body);
      assertBatchSize(records.length, deps.maxBatchEvents, 'events');
      const userAgent = request.headers['user-agent'];
      const { accepted, rejected, refused } = judgeEvents(records, deps.validators, {
        receivedAt: now(),
        source: deps.sourceOf(request),
        maxFutureSkewMs: deps.maxFutureSkewMs,
        maxPastAgeMs: deps.maxPastAgeMs,
        clientIp: request.ip,
        ...(userAgent === undefined ? {} : { userAgent }),
      });
      const result: Accepted = { accepted: 0, rejected };
      deps.metrics.eventsRejected.inc(result.rejected.length);
      if (accepted.length > 0) {
        await deps.publisher.publishEvents(accepted);
        deps.metrics.eventsAccepted.inc(accepted.length);
      }
      // The client already has each refusal with its reason; parking is for analysts and replay,
      // so a failure here is counted and logged, and does not fail the request.
      await deps.publisher.parkRefused(refused, '/v1/events').catch((err: unknown) => {
        deps.metrics.parkFailures.inc(refused.length);
        request.log.warn({ err, records: refused.length }, 'could not park refused events in the DLQ');
      });
      if (accepted.length === 0) {
        return reply.code(400).send({
          error: {
            code: ERROR_CODES.invalidInput,
            message: 'no valid event in the request',
            rejected: result.rejected,
          },
        });
      }
      result.accepted = accepted.length;
      return reply.code(202).send(result);
    },
  );
}
