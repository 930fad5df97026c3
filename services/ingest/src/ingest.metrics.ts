import type { ServiceMetrics } from '@recstream/metrics';

export type IngestMetrics = ReturnType<typeof createIngestMetrics>;

export function createIngestMetrics(metrics: ServiceMetrics) {
  return {
    eventsAccepted: metrics.counter(
      'events_accepted_total',
      'Events acknowledged to clients (durable in Kafka)',
    ),
    eventsRejected: metrics.counter('events_rejected_total', 'Events refused with a reason'),
    parkFailures: metrics.counter(
      'dlq_park_failures_total',
      'Refused events that could not be parked in the DLQ',
    ),
    itemsAccepted: metrics.counter('items_accepted_total', 'Catalog upserts acknowledged (durable in Kafka)'),
    itemsRejected: metrics.counter('items_rejected_total', 'Catalog upserts refused with a reason'),
    itemsDeleted: metrics.counter(
      'items_deleted_total',
      'Catalog deletions acknowledged (tombstones in Kafka)',
    ),
  };
}
