/**
 * The catalog's display fields, all of them, in this process's memory — so a request looks up the
 * ~170 items it shows or filters on in a Map instead of reading and parsing them from Redis.
 *
 * Never staler than Redis was when the request began: each request reads the catalog's version
 * (one small HMGET, issued with its first reads so it costs no round trip of its own) and the mirror
 * first catches up to it from the catalog's change log — reading only the items written since —
 * when it is behind (@recstream/features catalog-version.ts). Concurrent requests share one
 * catch-up. A reload of the whole catalog (the first, or when the log cannot account for what
 * changed: a store that lost its data, a bulk restore) is awaited only by the first; afterwards
 * requests answer from the mirror as it is while a reload runs in the background.
 *
 * Memory: about 1 KB per item (a 50k-item catalog ~50 MB, 500k ~500 MB).
 */
import {
  featureKeys,
  parseStoredItemMeta,
  readCatalogChanges,
  readCatalogVersion,
  readWholeCatalog,
  type CatalogVersion,
  type ItemMeta,
} from '@recstream/features';
import type { Logger } from '@recstream/logger';
import type { ServiceMetrics } from '@recstream/metrics';
import type { Redis } from 'ioredis';
import { NewArrivals } from './new-arrivals.js';

/** New arrivals are rebuilt at most this often after the catalog changed, and at least this often. */
const NEW_ARRIVALS_MIN_AGE_MS = 5_000;
const NEW_ARRIVALS_MAX_AGE_MS = 60_000;

export interface CatalogMirrorOptions {
  readonly redis: Redis;
  readonly redisPrefix: string;
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
}

type SyncKind = 'changes' | 'reload';

export class CatalogMirror {
  private items = new Map<string, ItemMeta>();
  private epoch: string | undefined;
  /** The version the mirror reflects at least; -1 until the first load. */
  private n = -1;
  /** The catch-up (or first load) requests wait for. */
  private syncing: Promise<void> | undefined;
  /** A reload of the whole catalog that requests do not wait for. */
  private background: Promise<void> | undefined;
  /** One copy of each string and category path many items repeat (see `share`). */
  private readonly strings = new Map<string, string>();
  private readonly paths = new Map<string, readonly string[]>();
  private readonly metaKey: string;
  /** New arrivals per window (ms), with the value of `changes` they were built at. */
  private readonly arrivals = new Map<number, { readonly list: NewArrivals; readonly atChange: number }>();
  /** Bumped by every change to `items`: new arrivals are rebuilt when it moved. */
  private changes = 0;
  private readonly size;
  private readonly syncs;
  private readonly unreadable;

  constructor(private readonly options: CatalogMirrorOptions) {
    this.metaKey = featureKeys(options.redisPrefix).itemMeta();
    this.size = options.metrics.gauge('catalog_mirror_items', 'Items in the in-memory catalog');
    this.syncs = options.metrics.counter(
      'catalog_mirror_syncs_total',
      'Catalog mirror updates, by kind (changes: the items the change log names; reload: the whole catalog) and result',
      ['kind', 'result'],
    );
    this.unreadable = options.metrics.counter(
      'catalog_mirror_unreadable_total',
      'Stored catalog entries left out because they are not display fields (not JSON, no item id or title)',
    );
  }

  /** The store's version now (one HMGET): what a request's answer must be at least as fresh as. */
  observe(): Promise<CatalogVersion> {
    return readCatalogVersion(this.options.redis, this.options.redisPrefix);
  }

  /**
   * Resolves once the mirror reflects `version` — or at once while a reload of the whole catalog
   * runs in the background (the mirror as it is). Rejects when Redis fails during the first load
   * or a catch-up.
   */
  async reach(version: CatalogVersion): Promise<void> {
    for (;;) {
      if (this.n >= 0 && version.epoch === this.epoch && version.n <= this.n) return;
      if (this.background !== undefined) return;
      if (this.syncing !== undefined) {
        await this.syncing;
        continue;
      }
      if (this.n >= 0 && version.epoch !== this.epoch) {
        this.reloadInBackground('the catalog started another epoch (its store was emptied or replaced)');
        return;
      }
      this.syncing = this.sync(version).finally(() => {
        this.syncing = undefined;
      });
    }
  }

  /**
   * Reads the store's version and reaches it, waiting for a reload of the whole catalog too
   * (startup; the search index, which is built from the mirror off the request path).
   */
  async settle(): Promise<void> {
    await this.reach(await this.observe());
    if (this.background === undefined) return;
    await this.background;
    await this.reach(await this.observe());
  }

  get(itemId: string): ItemMeta | undefined {
    return this.items.get(itemId);
  }

  /**
   * The new items as of about `nowMs` (rebuilt from the whole catalog at most every 5 s after it
   * changed, and every minute as items age out). One list per window: an experiment's variant may
   * count items as new for longer or shorter.
   */
  newArrivals(nowMs: number, newItemMs: number): NewArrivals {
    const cached = this.arrivals.get(newItemMs);
    const age = cached === undefined ? Infinity : nowMs - cached.list.builtAtMs;
    const changed = cached?.atChange !== this.changes;
    if (
      cached !== undefined &&
      !(changed && age >= NEW_ARRIVALS_MIN_AGE_MS) &&
      age < NEW_ARRIVALS_MAX_AGE_MS &&
      age >= 0
    )
      return cached.list;
    const list = NewArrivals.build(this.items.values(), nowMs, newItemMs);
    this.arrivals.set(newItemMs, { list, atChange: this.changes });
    return list;
  }

  /** Every item (a new list; the objects are shared and read-only). */
  all(): ItemMeta[] {
    return [...this.items.values()];
  }

  get count(): number {
    return this.items.size;
  }

  /** The first load, or the items the log names since the mirror's version. */
  private async sync(version: CatalogVersion): Promise<void> {
    if (this.n < 0) return this.reload();
    const { redis, redisPrefix } = this.options;
    const changes = await this.counted('changes', async () => {
      const found = await readCatalogChanges(redis, redisPrefix, this.n, version.n);
      if (found === undefined || found.itemIds.length === 0) return { found, values: [] };
      return { found, values: await redis.hmget(this.metaKey, ...found.itemIds) };
    });
    const { found, values } = changes;
    if (found === undefined) {
      this.reloadInBackground('the change log does not cover every write since the last update');
      return;
    }
    const unreadable: string[] = [];
    found.itemIds.forEach((itemId, i) => {
      const value = values[i];
      const item = value === null || value === undefined ? undefined : parseStoredItemMeta(value);
      if (item === undefined) this.items.delete(itemId);
      else this.items.set(itemId, this.share(item));
      if (value !== null && value !== undefined && item === undefined) unreadable.push(itemId);
    });
    this.reportUnreadable(unreadable);
    if (found.itemIds.length > 0) this.changes += 1;
    this.n = Math.max(this.n, found.n);
    this.size.set(this.items.size);
    this.syncs.inc({ kind: 'changes', result: 'ok' });
  }

  private reloadInBackground(why: string): void {
    if (this.background !== undefined) return;
    this.options.logger.info({ why }, 'reloading the whole catalog; answering from the mirror meanwhile');
    this.background = this.reload()
      .catch((err: unknown) => {
        this.options.logger.warn({ err }, 'catalog reload failed; the next request tries again');
      })
      .finally(() => {
        this.background = undefined;
      });
  }

  private async reload(): Promise<void> {
    const { version, items, unreadable } = await this.counted('reload', () =>
      readWholeCatalog(this.options.redis, this.options.redisPrefix),
    );
    this.reportUnreadable(unreadable);
    this.items = new Map(items.map((item) => [item.itemId, this.share(item)]));
    this.changes += 1;
    this.epoch = version.epoch;
    this.n = version.n;
    this.size.set(this.items.size);
    this.syncs.inc({ kind: 'reload', result: 'ok' });
  }

  /** Stored values that are not display fields: left out (never shown), counted and logged. */
  private reportUnreadable(itemIds: readonly string[]): void {
    if (itemIds.length === 0) return;
    this.unreadable.inc(itemIds.length);
    this.options.logger.warn(
      { items: itemIds.length, examples: itemIds.slice(0, 5) },
      'catalog entries that are not display fields were left out',
    );
  }

  /**
   * The item with the strings many items repeat (category levels, brand, currency) and its
   * category path shared with every item of its category: diversity and filters compare them per
   * pair of candidates, and identical objects compare at once; a large catalog also holds one copy.
   */
  private share(item: ItemMeta): ItemMeta {
    const pathKey = item.categoryPath.join('\u0000');
    let path = this.paths.get(pathKey);
    if (path === undefined) {
      path = item.categoryPath.map((level) => this.string(level));
      this.paths.set(pathKey, path);
    }
    return {
      ...item,
      category: this.string(item.category),
      categoryPath: path,
      brand: this.string(item.brand),
      currency: this.string(item.currency),
    };
  }

  private string(value: string): string {
    const known = this.strings.get(value);
    if (known !== undefined) return known;
    this.strings.set(value, value);
    return value;
  }

  /** Counts a failure of `work` under `kind` and rethrows it. */
  private async counted<T>(kind: SyncKind, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      this.syncs.inc({ kind, result: 'failed' });
      throw error;
    }
  }
}
