/**
 * The last popular list this process read, with its items' display fields: what serving answers
 * (flagged degraded) when the feature store is slow or down. Refreshed by every request that read
 * the store successfully, so it is as fresh as the last good request; bounded to FALLBACK_MAX
 * items. A process that never reached the store has nothing to fall back on and answers 503.
 */
import type { ItemMeta, PopularItem } from '@recstream/features';

export const FALLBACK_MAX = 300;

export interface PopularSnapshot {
  readonly items: readonly PopularItem[];
  readonly metaById: ReadonlyMap<string, ItemMeta>;
  readonly atMs: number;
}

export class PopularFallback {
  #snapshot: PopularSnapshot | undefined;

  /** Keeps the popular items whose display fields are known; an empty read keeps the previous list. */
  remember(popular: readonly PopularItem[], metaById: ReadonlyMap<string, ItemMeta>, atMs: number): void {
    const items = popular.filter((item) => metaById.has(item.itemId)).slice(0, FALLBACK_MAX);
    if (items.length === 0) return;
    const meta = new Map<string, ItemMeta>();
    for (const item of items) {
      const known = metaById.get(item.itemId);
      if (known !== undefined) meta.set(item.itemId, known);
    }
    this.#snapshot = { items, metaById: meta, atMs };
  }

  get(): PopularSnapshot | undefined {
    return this.#snapshot;
  }
}
