/**
 * The catalog's new items — those whose catalog record says they entered it within the last
 * `newItemMs` — newest first, overall and per top-level category: what exploration slots offer
 * (pipeline/exploration.ts). A new item has no interactions yet, so no behaviour-based source
 * proposes it; exploration is how it earns some.
 */
import type { ItemMeta } from '@recstream/features';

/** Items kept per list: exploration picks among the newest few that pass a request's filters. */
const PER_LIST = 200;

export class NewArrivals {
  private constructor(
    private readonly overall: readonly ItemMeta[],
    private readonly byTopCategory: ReadonlyMap<string, readonly ItemMeta[]>,
    readonly builtAtMs: number,
  ) {}

  static build(items: Iterable<ItemMeta>, nowMs: number, newItemMs: number): NewArrivals {
    const since = nowMs - newItemMs;
    const fresh: ItemMeta[] = [];
    for (const item of items) {
      if (item.createdAtMs !== undefined && item.createdAtMs >= since) fresh.push(item);
    }
    fresh.sort(
      (a, b) =>
        (b.createdAtMs ?? 0) - (a.createdAtMs ?? 0) ||
        (a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0),
    );
    const byTopCategory = new Map<string, ItemMeta[]>();
    for (const item of fresh) {
      const top = item.categoryPath[0];
      if (top === undefined) continue;
      let list = byTopCategory.get(top);
      if (list === undefined) {
        list = [];
        byTopCategory.set(top, list);
      }
      if (list.length < PER_LIST) list.push(item);
    }
    return new NewArrivals(fresh.slice(0, PER_LIST), byTopCategory, nowMs);
  }

  /** Newest first: of one top-level category, or of the whole catalog. */
  newest(topCategory?: string): readonly ItemMeta[] {
    return topCategory === undefined ? this.overall : (this.byTopCategory.get(topCategory) ?? []);
  }

  get size(): number {
    return this.overall.length;
  }
}
