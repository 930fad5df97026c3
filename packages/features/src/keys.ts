/**
 * Every Redis key the product uses is named here, and nowhere else. Each family states its
 * memory bound or expiry. `prefix` separates deployments and tests sharing one Redis.
 *
 * | key                                   | type   | bound                                      |
 * |---------------------------------------|--------|--------------------------------------------|
 * | `<prefix>:f1:item:pop`                | zset   | one member per catalog item; trimmed to `POPULARITY_MAX_ITEMS` |
 * | `<prefix>:f1:item:meta`               | hash   | one field per catalog item (JSON ItemMeta) |
 * | `<prefix>:f1:seen:<event_id>`         | string | expires after `SEEN_EVENT_TTL_S`           |
 * | `<prefix>:f1:offsets`                 | hash   | one field per Kafka partition applied (`<topic>/<partition>` → last offset) |
 *
 * Exactly once in effect: a redelivered message (crash, rebalance) sits at or below its
 * partition's offset watermark and is skipped; a client's retry that reached Kafka twice (same
 * event id, a new message) is caught by the seen-marker, which only needs to outlive retries.
 */

/** Layout version: bump it when a key's meaning changes, and rebuild. */
export const FEATURE_LAYOUT_VERSION = 'f1';
/**
 * How long an event id is remembered, to skip a client retry's second copy. Redelivery does not
 * depend on it (the offset watermark covers that), so it is short: memory is rate × TTL markers.
 */
export const SEEN_EVENT_TTL_S = 60 * 60;
export const POPULARITY_MAX_ITEMS = 1_000_000;

export interface FeatureKeys {
  itemPopularity(): string;
  itemMeta(): string;
  seenEvent(eventId: string): string;
  /** Last applied offset per `<topic>/<partition>`. */
  appliedOffsets(): string;
  /** Pattern matching every key of this prefix and layout (for rebuilds and test cleanup). */
  all(): string;
}

export function featureKeys(prefix: string): FeatureKeys {
  const base = `${prefix}:${FEATURE_LAYOUT_VERSION}`;
  return {
    itemPopularity: () => `${base}:item:pop`,
    itemMeta: () => `${base}:item:meta`,
    seenEvent: (eventId) => `${base}:seen:${eventId}`,
    appliedOffsets: () => `${base}:offsets`,
    all: () => `${base}:*`,
  };
}
