/**
 * Shop traffic for tests that need online features: events as ingest would produce them, and a
 * writer that applies them through the real feature store (the feature service's compiler and
 * apply-once script), so tests read exactly what production would have written.
 */
import type { Redis } from 'ioredis';
import { compileContext, compileEvent } from '@recstream/feature/compile';
import { createFeatureStore } from '@recstream/feature/store';
import { toItemMeta, writeCatalog, type ItemMeta } from '@recstream/features';
import type { CatalogItem, EnrichedEvent } from '@recstream/schemas';

/** Who did it: any of a user id, a device id and a session. */
export interface Shopper {
  user?: string;
  anon?: string;
  session?: string;
}

/** What they did (prices and quantities are filled in). */
export type ShopAction =
  | { type: 'view'; item_id: string }
  | { type: 'click'; item_id: string }
  | { type: 'add_to_cart'; item_id: string }
  | { type: 'remove_from_cart'; item_id: string }
  | { type: 'purchase'; items: string[] }
  | { type: 'search'; query: string }
  | { type: 'impression'; item_ids: string[] };

/** A builder of enriched events with ids unique to it (`ev-1`, `ev-2`, …). */
export function createEventFactory(): (atMs: number, who: Shopper, action: ShopAction) => EnrichedEvent {
  let counter = 0;
  return (atMs, who, action) => {
    const time = new Date(atMs).toISOString();
    counter += 1;
    const common = {
      event_id: `ev-${counter}`,
      schema_version: 1,
      received_at: time,
      event_time: time,
      source: 'default',
      ...(who.user === undefined ? {} : { user_id: who.user }),
      ...(who.anon === undefined ? {} : { anonymous_id: who.anon }),
      ...(who.session === undefined ? {} : { session_id: who.session }),
    } as const;
    switch (action.type) {
      case 'add_to_cart':
        return { ...common, ...action, quantity: 1, price: 10, currency: 'EUR' };
      case 'remove_from_cart':
        return { ...common, ...action, quantity: 1 };
      case 'purchase':
        return {
          ...common,
          type: 'purchase',
          order_id: `o-${counter}`,
          currency: 'EUR',
          items: action.items.map((item_id) => ({ item_id, price: 10, quantity: 1 })),
        };
      case 'view':
      case 'click':
      case 'search':
      case 'impression':
        return { ...common, ...action };
    }
  };
}

/**
 * Puts the catalog's display fields in Redis (as the items consumer would) and returns `write`,
 * which applies events through the real store on one partition and resolves with how many were new.
 */
export async function createFeatureWriter(
  redis: Redis,
  prefix: string,
  catalog: readonly CatalogItem[],
): Promise<(events: readonly EnrichedEvent[]) => Promise<number>> {
  const metaById = new Map<string, ItemMeta | undefined>(
    catalog.map((item) => [item.item_id, toItemMeta(item)]),
  );
  await writeCatalog(
    redis,
    prefix,
    [...metaById.values()].filter((meta): meta is ItemMeta => meta !== undefined),
  );
  const store = createFeatureStore(redis, prefix);
  const ctx = compileContext(prefix, metaById);
  let offset = 0;
  return async (events) => {
    const applied = await store.apply(
      'events/0',
      events.map((e) => ({
        eventId: e.event_id,
        offset: String(offset++),
        receivedAtMs: Date.parse(e.received_at),
        ops: compileEvent(ctx, e),
      })),
    );
    // As the feature service's job would within a second.
    await store.refreshCategoryTops();
    return applied;
  };
}
