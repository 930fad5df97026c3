/**
 * POST /v1/events — one event, a JSON array, or NDJSON. Each record gets its own verdict: the valid
 * ones are enriched and made durable in Kafka before we answer 202; the invalid ones are listed with
 * the field and reason. Nothing is acknowledged that Kafka has not acknowledged.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  ClickstreamEvent,
  CollectorAcceptedResponse as AcceptedResponse,
  CollectorErrorResponse as ErrorResponse,
  type ContractValidators,
} from '@recstream/schemas';
import type { Publisher } from '../handlers/event-publisher.js';
import { judgeEvents } from '../handlers/intake.js';
import { answerBatch } from './batch-answer.js';
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
      const verdict = judgeEvents(records, deps.validators, {
        receivedAt: now(),
        source: deps.sourceOf(request),
        maxFutureSkewMs: deps.maxFutureSkewMs,
        maxPastAgeMs: deps.maxPastAgeMs,
        clientIp: request.ip,
        ...(userAgent === undefined ? {} : { userAgent }),
      });
      return answerBatch(request, reply, verdict, {
        noun: 'event',
        route: '/v1/events',
        publish: (events) => deps.publisher.publishEvents(events),
        acceptedTotal: deps.metrics.eventsAccepted,
        rejectedTotal: deps.metrics.eventsRejected,
        publisher: deps.publisher,
        metrics: deps.metrics,
      });
    },
  );
}
