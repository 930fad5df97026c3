/**
 * The catalog's display fields (`<p>:f1:item:meta`) are versioned so that readers can keep a copy
 * of the whole catalog in memory and still see every write that completed before they looked:
 *
 * - `<p>:f1:item:meta:version` (hash): `epoch`, set once when the first write finds it missing
 *   (Redis' own clock, so a store that lost its data starts a new epoch), and `n`, bumped by every
 *   write;
 * - `<p>:f1:item:meta:log` (stream): one entry per versioned write, with id `<n>-0` and the ids of
 *   the items it wrote or removed (field `items`, a JSON array), capped at `CATALOG_LOG_MAX_ENTRIES`.
 *
 * A reader that holds the catalog as of version (e, m) and observes (e, n) reads the log's entries
 * m+1 … n and then only those items. Anything the log cannot account for — another epoch, entries
 * trimmed away, a write that bumped the version without an entry (`bumpCatalogVersion`, after a
 * bulk restore) — means reading the whole catalog again.
 *
 * Writes go through `writeCatalog` (one script: meta, version and log change together, so no
 * reader sees one without the other).
 */
import type { Redis, Result } from 'ioredis';
import { featureKeys } from './keys.js';
import { parseStoredItemMeta, type ItemMeta } from './item-meta.js';
import { luaScript } from '@recstream/redis';

/** Log entries kept: a reader further behind than this reads the whole catalog again. */
export const CATALOG_LOG_MAX_ENTRIES = 10_000;

/** Items per HSCAN page when the whole catalog is read. */
const SCAN_COUNT = 1000;

/** Where the catalog stands: `epoch` is undefined while nothing was ever written. */
export interface CatalogVersion {
  readonly epoch: string | undefined;
  readonly n: number;
}

/**
 * KEYS: meta hash, version hash, log. ARGV: [1] log cap, [2] `set` | `del` | `bump`, then for `set`
 * id, JSON pairs and for `del` ids. Returns the new `n`.
 */
const WRITE_CATALOG_LUA = new URL('./write-catalog.lua', import.meta.url);

const COMMAND = 'recWriteCatalog';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    recWriteCatalog(...args: (string | number)[]): Result<number, Context>;
  }
}

const defined = new WeakSet<Redis>();

function run(redis: Redis, prefix: string, op: 'set' | 'del' | 'bump', args: string[]): Promise<number> {
  if (!defined.has(redis)) {
    redis.defineCommand(COMMAND, { numberOfKeys: 3, lua: luaScript(WRITE_CATALOG_LUA) });
    defined.add(redis);
  }
  const keys = featureKeys(prefix);
  return redis.recWriteCatalog(
    keys.itemMeta(),
    keys.itemMetaVersion(),
    keys.itemMetaLog(),
    CATALOG_LOG_MAX_ENTRIES,
    op,
    ...args,
  );
}

/** Writes (inserts or replaces) items' display fields, versioned; resolves with the new `n`. */
export function writeCatalog(redis: Redis, prefix: string, items: readonly ItemMeta[]): Promise<number> {
  if (items.length === 0) return Promise.resolve(0);
  return run(
    redis,
    prefix,
    'set',
    items.flatMap((item) => [item.itemId, JSON.stringify(item)]),
  );
}

/** Removes items' display fields, versioned; resolves with the new `n`. */
export function removeFromCatalog(redis: Redis, prefix: string, itemIds: readonly string[]): Promise<number> {
  if (itemIds.length === 0) return Promise.resolve(0);
  return run(redis, prefix, 'del', [...itemIds]);
}

/**
 * Bumps the version without a log entry, after the hash was written some other way (a bulk
 * restore): every reader then reads the whole catalog again.
 */
export function bumpCatalogVersion(redis: Redis, prefix: string): Promise<number> {
  return run(redis, prefix, 'bump', []);
}

/** Parses HMGET version epoch n. */
export function parseCatalogVersion(reply: readonly (string | null)[]): CatalogVersion {
  const [epoch, n] = reply;
  return { epoch: epoch ?? undefined, n: n === null || n === undefined ? 0 : Number(n) };
}

/** The catalog's current version (one HMGET). */
export async function readCatalogVersion(redis: Redis, prefix: string): Promise<CatalogVersion> {
  return parseCatalogVersion(await redis.hmget(featureKeys(prefix).itemMetaVersion(), 'epoch', 'n'));
}

/** The version as one string, for readers that only compare versions (e.g. a rebuilt search index). */
export const catalogVersionStamp = (version: CatalogVersion): string => `${version.epoch ?? ''}#${version.n}`;

/**
 * The items written or removed after `since` up to at least `upTo` (same epoch), from the log —
 * or undefined when the log cannot account for every one of those writes (read the whole catalog).
 * `n` is the version the ids bring a reader to (the log's newest entry: `upTo` or later).
 */
export async function readCatalogChanges(
  redis: Redis,
  prefix: string,
  since: number,
  upTo: number,
): Promise<{ readonly itemIds: string[]; readonly n: number } | undefined> {
  if (upTo - since > CATALOG_LOG_MAX_ENTRIES) return undefined;
  const entries = await redis.xrange(featureKeys(prefix).itemMetaLog(), `${since + 1}-0`, '+');
  const itemIds = new Set<string>();
  let expected = since + 1;
  for (const [id, fields] of entries) {
    // Entries must follow one another: a gap is a write the log does not describe.
    if (id !== `${expected}-0`) return undefined;
    const items = fields[1];
    if (fields[0] !== 'items' || items === undefined) return undefined;
    for (const itemId of JSON.parse(items) as string[]) itemIds.add(itemId);
    expected += 1;
  }
  const n = expected - 1;
  return n >= upTo ? { itemIds: [...itemIds], n } : undefined;
}

/**
 * The whole catalog (HSCAN in pages rather than one HGETALL, so a large catalog never blocks Redis
 * for the other clients) with the version it is at least as fresh as (read before the scan), and
 * the ids of stored values that could not be read as display fields (parseStoredItemMeta).
 */
export async function readWholeCatalog(
  redis: Redis,
  prefix: string,
): Promise<{ readonly version: CatalogVersion; readonly items: ItemMeta[]; readonly unreadable: string[] }> {
  const version = await readCatalogVersion(redis, prefix);
  const key = featureKeys(prefix).itemMeta();
  const items: ItemMeta[] = [];
  const unreadable: string[] = [];
  let cursor = '0';
  do {
    const [next, flat] = await redis.hscan(key, cursor, 'COUNT', SCAN_COUNT);
    for (let i = 1; i < flat.length; i += 2) {
      const item = parseStoredItemMeta(flat[i] as string);
      if (item === undefined) unreadable.push(flat[i - 1] as string);
      else items.push(item);
    }
    cursor = next;
  } while (cursor !== '0');
  return { version, items, unreadable };
}
