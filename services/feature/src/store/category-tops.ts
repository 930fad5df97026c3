/**
 * Category top lists, refreshed from the popularity set rather than written per event.
 *
 * A category's list holds each of its items' own popularity (`item:pop`), so writing it with every
 * event meant one more sorted-set write per category level of every item, in the apply-once script:
 * a fifth of Redis' time per event. Instead the script only marks the item (`cat:pending`, a set),
 * and this refresh, run by the feature service every second and by anyone who needs the lists
 * current (a rebuild, test fixtures), copies the marked items' popularity into their categories'
 * lists. A hot item is then written once per refresh, not once per event.
 *
 * Each step is one script: the marks still present, the items' current popularity, the lists'
 * writes and caps, and the removal of the marks happen atomically. A crash between steps leaves the
 * remaining marks for the next one; an item marked again during a step keeps its mark only if the
 * step did not see it. Two instances refreshing at once write the same scores.
 *
 * Categories come from the catalog (the item's path when it is refreshed); an item the catalog no
 * longer knows loses its mark and is left out.
 */
import type { Redis, Result } from 'ioredis';
import { CATEGORY_TOP_MAX, featureKeys, parseStoredItemMeta } from '@recstream/features';
import { Packr } from 'msgpackr';
import { categoryLevels } from '../compile/event-ops.js';
import { luaScript } from '@recstream/redis';

/** Items per step: a step is atomic, so Redis answers nobody else while it runs (a few ms). */
export const CATEGORY_REFRESH_ITEMS = 1_000;

/**
 * KEYS: [1] the pending set, [2] the popularity set. ARGV: [1] MessagePack `{ it: items,
 * g: [[list key, [item index, …]], …], cap }`. Returns the number of marks removed.
 */
const REFRESH_LUA = new URL('./refresh-category-tops.lua', import.meta.url);

declare module 'ioredis' {
  interface RedisCommander<Context> {
    recRefreshCategoryTops(pendingKey: string, popularityKey: string, step: Buffer): Result<number, Context>;
  }
}

const packr = new Packr({ useRecords: false });

/**
 * Returns a function that refreshes the lists of every item marked when it is called (and of items
 * marked meanwhile, as they are reached); it resolves with the number of items refreshed.
 */
export function createCategoryTopsRefresh(redis: Redis, prefix: string): () => Promise<number> {
  redis.defineCommand('recRefreshCategoryTops', { lua: luaScript(REFRESH_LUA), numberOfKeys: 2 });
  const keys = featureKeys(prefix);

  async function step(): Promise<number> {
    const items = await redis.srandmember(keys.categoryPending(), CATEGORY_REFRESH_ITEMS);
    if (items.length === 0) return 0;
    const stored = await redis.hmget(keys.itemMeta(), ...items);
    const lists = new Map<string, number[]>();
    items.forEach((_, index) => {
      const raw = stored[index];
      const meta = raw === null || raw === undefined ? undefined : parseStoredItemMeta(raw);
      for (const category of categoryLevels(meta?.categoryPath ?? [])) {
        const key = keys.categoryPopularity(category);
        const members = lists.get(key);
        // Lua arrays count from 1.
        if (members === undefined) lists.set(key, [index + 1]);
        else members.push(index + 1);
      }
    });
    return redis.recRefreshCategoryTops(
      keys.categoryPending(),
      keys.itemPopularity(),
      packr.pack({ it: items, g: [...lists], cap: CATEGORY_TOP_MAX }),
    );
  }

  return async () => {
    let refreshed = 0;
    // SRANDMEMBER returns distinct members, and every step removes the marks it saw: a short step
    // means the set held no more than it returned.
    for (;;) {
      const removed = await step();
      refreshed += removed;
      if (removed < CATEGORY_REFRESH_ITEMS) return refreshed;
    }
  };
}
