/** Running counts of what the generator released and what ingest made of it. */
import type { BatchOutcome } from '../sender/ingest.client.js';

export interface TrafficCounts {
  /** Events released by the pacer (stamped and queued for sending). */
  released: number;
  /** Events in batches that ingest answered with 2xx. */
  sent: number;
  accepted: number;
  rejected: number;
  /** Retry attempts (503, 429, 5xx, network errors). */
  retried: number;
  /** Events in batches ingest refused with a 4xx: a bug in what we send. */
  refused: number;
  /** Events never delivered because ingest stayed unavailable. */
  unsent: number;
  batches: number;
  itemsSent: number;
  itemsAccepted: number;
  itemsRejected: number;
}

export class TrafficStats {
  readonly counts: TrafficCounts = {
    released: 0,
    sent: 0,
    accepted: 0,
    rejected: 0,
    retried: 0,
    refused: 0,
    unsent: 0,
    batches: 0,
    itemsSent: 0,
    itemsAccepted: 0,
    itemsRejected: 0,
  };

  recordEvents(outcome: BatchOutcome): void {
    const c = this.counts;
    c.batches += 1;
    c.retried += outcome.retries;
    if (outcome.kind === 'refused') {
      c.refused += outcome.sent;
      return;
    }
    c.sent += outcome.sent;
    c.accepted += outcome.accepted;
    c.rejected += outcome.rejected.length;
  }

  recordItems(outcome: BatchOutcome): void {
    const c = this.counts;
    c.retried += outcome.retries;
    c.itemsSent += outcome.sent;
    if (outcome.kind === 'refused') {
      c.itemsRejected += outcome.sent;
      return;
    }
    c.itemsAccepted += outcome.accepted;
    c.itemsRejected += outcome.rejected.length;
  }

  snapshot(): TrafficCounts {
    return { ...this.counts };
  }
}
