/**
 * The last step of a batch intake route, the same for events and items: publish the accepted
 * records (durable in Kafka before we answer), park the refused ones, then answer 202 with the
 * per-record rejections, or 400 when nothing was valid.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CODES } from '@recstream/errors';
import type { CollectorAcceptedResponse as Accepted } from '@recstream/schemas';
import type { Publisher } from '../handlers/event-publisher.js';
import type { RecordsVerdict } from '../handlers/intake.js';
import type { IngestMetrics } from '../ingest.metrics.js';

const PARK_FAILED = {
  event: 'could not park refused events in the DLQ',
  item: 'could not park refused items in the DLQ',
} as const;

export interface BatchOutlet<T> {
  /** What a record is, in messages: `event`, `item`. */
  readonly noun: 'event' | 'item';
  /** The route, as the DLQ records it. */
  readonly route: string;
  readonly publish: (records: T[]) => Promise<void>;
  readonly acceptedTotal: IngestMetrics['eventsAccepted'];
  readonly rejectedTotal: IngestMetrics['eventsRejected'];
  readonly publisher: Publisher;
  readonly metrics: IngestMetrics;
}

export async function answerBatch<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  { accepted, rejected, refused }: RecordsVerdict<T>,
  outlet: BatchOutlet<T>,
): Promise<FastifyReply> {
  const result: Accepted = { accepted: 0, rejected };
  outlet.rejectedTotal.inc(rejected.length);
  if (accepted.length > 0) {
    await outlet.publish(accepted);
    outlet.acceptedTotal.inc(accepted.length);
  }
  // The client already has each refusal with its reason; parking is for analysts and replay,
  // so a failure here is counted and logged, and does not fail the request.
  await outlet.publisher.parkRefused(refused, outlet.route).catch((err: unknown) => {
    outlet.metrics.parkFailures.inc(refused.length);
    request.log.warn({ err, records: refused.length }, PARK_FAILED[outlet.noun]);
  });
  if (accepted.length === 0) {
    return reply.code(400).send({
      error: {
        code: ERROR_CODES.invalidInput,
        message: `no valid ${outlet.noun} in the request`,
        rejected,
      },
    });
  }
  result.accepted = accepted.length;
  return reply.code(202).send(result);
}
