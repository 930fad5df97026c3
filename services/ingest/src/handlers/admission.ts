/**
 * Admission control for the collector: a bound on records accepted from clients but not yet
 * acknowledged by Kafka. Those records live only in this process's memory (the kafkajs request
 * queue), so the bound is what keeps a slow or absent broker from growing the heap until the
 * process dies — losing everything in flight. Past the bound we answer 503 + Retry-After at once:
 * the client keeps the records and retries, which is the only place they are safe.
 */
import { ERROR_CODES, TransientError } from '@recstream/errors';
import type { ServiceMetrics } from '@recstream/metrics';
import type { Publisher } from './event-publisher.js';

export interface Admission {
  /** Runs `send` if `records` fit under the bound, holding their places until it settles. */
  admit<T>(records: number, send: () => Promise<T>): Promise<T>;
  readonly inFlight: number;
}

export function createAdmission(maxInFlightRecords: number, metrics?: ServiceMetrics): Admission {
  let inFlight = 0;
  const gauge = metrics?.gauge(
    'inflight_records',
    'Records accepted from clients and waiting for the Kafka acknowledgement',
  );
  const refused = metrics?.counter(
    'admission_refused_records_total',
    'Records answered 503 because the in-flight bound was reached',
  );
  return {
    async admit(records, send) {
      if (inFlight + records > maxInFlightRecords) {
        refused?.inc(records);
        throw new TransientError(
          ERROR_CODES.overloaded,
          `collector is at its bound of ${maxInFlightRecords} records waiting for Kafka; retry later`,
          { details: { statusCode: 503, inFlight, records } },
        );
      }
      inFlight += records;
      gauge?.set(inFlight);
      try {
        return await send();
      } finally {
        inFlight -= records;
        gauge?.set(inFlight);
      }
    },
    get inFlight() {
      return inFlight;
    },
  };
}

/** The publisher, with every send admitted against one shared bound. */
export function withAdmission(publisher: Publisher, admission: Admission): Publisher {
  return {
    publishEvents: (events) => admission.admit(events.length, () => publisher.publishEvents(events)),
    publishItems: (items) => admission.admit(items.length, () => publisher.publishItems(items)),
    deleteItems: (itemIds) => admission.admit(itemIds.length, () => publisher.deleteItems(itemIds)),
    parkRefused: (records, route, origin) =>
      admission.admit(records.length, () => publisher.parkRefused(records, route, origin)),
  };
}
