/**
 * Every Redis key the product uses is named here, and nowhere else. Each family states its
 * memory bound or expiry. `prefix` separates deployments and tests sharing one Redis.
 *
 * | key                                   | type   | bound                                      |
 * |---------------------------------------|--------|--------------------------------------------|
 * | `<prefix>:f1:item:pop`                | zset   | one member per catalog item; trimmed to `POPULARITY_MAX_ITEMS` |
 * | `<prefix>:f1:item:meta`               | hash   | one field per catalog item (JSON ItemMeta) |
 * | `<prefix>:f1:seen:<event_id>`         | string | expires after `SEEN_EVENT_TTL_S`           |
 */

/** Layout version: bump it when a key's meaning changes, and rebuild. */
export const FEATURE_LAYOUT_VERSION = 'f1';
export const SEEN_EVENT_TTL_S = 7 * 24 * 60 * 60;
export const POPULARITY_MAX_ITEMS = 1_000_000;

export interface FeatureKeys {
  itemPopularity(): string;
  itemMeta(): string;
  seenEvent(eventId: string): string;
  /** Pattern matching every key of this prefix and layout (for rebuilds and test cleanup). */
  all(): string;
}

export function featureKeys(prefix: string): FeatureKeys {
  const base = `${prefix}:${FEATURE_LAYOUT_VERSION}`;
  return {
    itemPopularity: () => `${base}:item:pop`,
    itemMeta: () => `${base}:item:meta`,
    seenEvent: (eventId) => `${base}:seen:${eventId}`,
    all: () => `${base}:*`,
  };
}
