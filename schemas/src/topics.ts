/**
 * Kafka topics: names, partition keys, partition counts and retention, in one place.
 *
 * Names carry a version so that an incompatible contract gets a new topic instead of breaking
 * consumers. Every deployment (and every test) may prefix them to share one cluster safely.
 */

export interface TopicSpec {
  /** Base name; the deployed name is `${prefix}${name}`. */
  readonly name: string;
  readonly partitions: number;
  /** What the message key is: it decides ordering (per key) and partition. */
  readonly key: string;
  readonly config: Readonly<Record<string, string>>;
  readonly description: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Headers every message parked in the DLQ carries beside its original key and value. */
export const DLQ_HEADERS = {
  reason: 'rec-dlq-reason',
  step: 'rec-dlq-step',
  code: 'rec-dlq-code',
  /** Where it came from: `topic/partition/offset`, or `http:<route>` for records refused at intake. */
  source: 'rec-dlq-source',
  at: 'rec-dlq-at',
} as const;

export const TOPICS = {
  events: {
    name: 'rec.events.v1',
    partitions: 6,
    key: "user_id, else anonymous_id: each shopper's events stay ordered",
    config: {
      'cleanup.policy': 'delete',
      'retention.ms': String(7 * DAY_MS),
      'compression.type': 'producer',
    },
    description: 'Validated and enriched clickstream events (EnrichedEvent JSON)',
  },
  eventsDlq: {
    name: 'rec.events.dlq.v1',
    partitions: 3,
    key: 'the original key, unchanged',
    config: { 'cleanup.policy': 'delete', 'retention.ms': String(30 * DAY_MS) },
    description: 'Events parked with reason/step/source headers; original value kept byte for byte',
  },
  items: {
    name: 'rec.items.v1',
    partitions: 3,
    key: 'item_id; a null value deletes the item',
    config: { 'cleanup.policy': 'compact', 'min.compaction.lag.ms': String(60 * 60 * 1000) },
    description: 'Catalog items, latest version per item (CatalogItem JSON)',
  },
  modelsPublished: {
    name: 'rec.models.published.v1',
    partitions: 1,
    key: 'model name',
    config: { 'cleanup.policy': 'compact' },
    description: 'A model version became live; serving instances load it',
  },
} as const satisfies Record<string, TopicSpec>;

export type TopicRole = keyof typeof TOPICS;

/** The deployed name of a topic under a deployment prefix (empty in production by default). */
export function topicName(role: TopicRole, prefix = ''): string {
  return `${prefix}${TOPICS[role].name}`;
}

/** The key that keeps one shopper's events on one partition, in order. */
export function eventPartitionKey(event: {
  user_id?: string | undefined;
  anonymous_id?: string | undefined;
}): string {
  const key = event.user_id ?? event.anonymous_id;
  if (key === undefined) throw new Error('event has neither user_id nor anonymous_id');
  return key;
}
