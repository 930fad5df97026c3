/**
 * Server-side enrichment: receive time, the event time clients should have sent (corrected when
 * their clock is ahead), the source, and the contract version.
 */
import { EVENT_SCHEMA_VERSION, type ClickstreamEvent, type EnrichedEvent } from '@recstream/schemas';

export interface EnrichOptions {
  readonly receivedAt: Date;
  readonly source: string;
  readonly maxFutureSkewMs: number;
}

/** A client clock ahead of ours cannot be right: such times fall back to the receive time. */
export function correctedEventTime(
  clientTimestamp: string | undefined,
  receivedAt: Date,
  maxFutureSkewMs: number,
): Date {
  if (clientTimestamp === undefined) return receivedAt;
  const client = new Date(clientTimestamp);
  if (Number.isNaN(client.getTime())) return receivedAt;
  return client.getTime() - receivedAt.getTime() > maxFutureSkewMs ? receivedAt : client;
}

export function enrichEvent(event: ClickstreamEvent, options: EnrichOptions): EnrichedEvent {
  return {
    ...event,
    schema_version: EVENT_SCHEMA_VERSION,
    received_at: options.receivedAt.toISOString(),
    event_time: correctedEventTime(
      event.timestamp,
      options.receivedAt,
      options.maxFutureSkewMs,
    ).toISOString(),
    source: options.source,
  };
}
