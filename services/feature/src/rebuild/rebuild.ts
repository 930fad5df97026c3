/**
 * Recomputes the online features from the ClickHouse behaviour log: restores the catalog entries
 * Redis lacks, then replays every logged event through the same compiler as the live consumer, in
 * topic order per partition, applied in `fill` mode (store/apply-once.lua.ts): each offset is
 * applied by exactly one of the rebuild and the live consumer, so both may run at once.
 *
 * `reset` first deletes every feature key of the layout (for a new feature or a bug fix: the
 * rebuild then recomputes everything); readers see partial features until it finishes.
 */
import type { Redis } from 'ioredis';
import type { ClickHouse } from '@recstream/clickhouse';
import { featureKeys } from '@recstream/features';
import { compileContext, compileEvent, eventItems } from '../compile/event-ops.js';
import { lateness } from '../handlers/feature.handler.js';
import type { FeatureStore } from '../store/feature-store.js';
import type { CompiledEvent } from '../store/ops.js';
import { markRebuilt } from '../store/store-state.js';
import { restoreCatalog } from './catalog.js';
import { countLoggedEvents, readEventLog } from './event-log.js';

/** Events applied per store call: large enough to amortise round trips, small enough to show progress. */
const BATCH = 2_000;

export interface RebuildOptions {
  readonly clickhouse: ClickHouse;
  readonly redis: Redis;
  readonly store: FeatureStore;
  readonly prefix: string;
  /** The events topic's name: offsets are kept per `<topic>/<partition>`, as the consumer does. */
  readonly eventsTopic: string;
  readonly maxLatenessMs: number;
  readonly reset?: boolean;
  readonly now?: () => number;
  readonly onStart?: (total: number) => void;
  readonly onProgress?: (read: number) => void;
  readonly onRefused?: (eventId: string, reason: string) => void;
}

export interface RebuildReport {
  readonly reset: boolean;
  readonly deletedKeys: number;
  readonly catalogItems: number;
  readonly catalogRestored: number;
  /** Events in the log with a topic position. */
  readonly logged: number;
  /** Events logged before positions were recorded (migration 0010): not replayable, left out. */
  readonly unpositioned: number;
  readonly read: number;
  /** Applied by this rebuild. */
  readonly applied: number;
  /** Already in the store (applied live, or by an earlier rebuild run). */
  readonly alreadyApplied: number;
  /** Late beyond the lateness bound: not applied, as live. */
  readonly late: number;
  /** Item references the catalog does not know: they get no item features, as live. */
  readonly unknownItemRefs: number;
  /** Logged rows of a type this version does not know: skipped, as the live consumer parks them. */
  readonly unknownTypes: number;
  /** Events the store refused on their own (their reasons are logged through `onRefused`). */
  readonly refused: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
}

/** Deletes every key of the feature layout under `prefix`; resolves with how many. */
export async function deleteFeatureKeys(redis: Redis, prefix: string): Promise<number> {
  let deleted = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', featureKeys(prefix).all(), 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}

export async function rebuildFeatures(options: RebuildOptions): Promise<RebuildReport> {
  const now = options.now ?? Date.now;
  const started = now();
  const deletedKeys = options.reset === true ? await deleteFeatureKeys(options.redis, options.prefix) : 0;
  const { catalog, restored } = await restoreCatalog(options.clickhouse, options.redis, options.prefix);
  const { positioned, unpositioned } = await countLoggedEvents(options.clickhouse);
  options.onStart?.(positioned);

  // As live: items the catalog does not know get no item features, unless there is no catalog.
  const ctx = compileContext(options.prefix, catalog, catalog.size > 0);
  let read = 0;
  let applied = 0;
  let compiled = 0;
  let late = 0;
  let unknownItemRefs = 0;
  let unknownTypes = 0;
  let refused = 0;
  let pending: CompiledEvent[] = [];
  let pendingPartition = -1;
  const flush = async () => {
    if (pending.length === 0) return;
    const batch = pending;
    applied += await options.store.apply(
      `${options.eventsTopic}/${pendingPartition}`,
      batch,
      'fill',
      (index, reason) => {
        refused += 1;
        options.onRefused?.(batch[index]?.eventId ?? '', reason);
      },
    );
    pending = [];
    options.onProgress?.(read);
  };

  for await (const chunk of readEventLog(options.clickhouse)) {
    for (const { partition, offset, event } of chunk) {
      read += 1;
      if (partition !== pendingPartition || pending.length >= BATCH) {
        await flush();
        pendingPartition = partition;
      }
      if (event === undefined) {
        unknownTypes += 1;
        continue;
      }
      if (lateness(event) > options.maxLatenessMs) {
        late += 1;
        continue;
      }
      for (const itemId of eventItems(event)) if (!catalog.has(itemId)) unknownItemRefs += 1;
      // Only ids young enough that a client retry's copy may still arrive are recorded (seen-ids.ts).
      pending.push({
        eventId: event.event_id,
        offset,
        receivedAtMs: Date.parse(event.received_at),
        ops: compileEvent(ctx, event),
      });
      compiled += 1;
    }
  }
  await flush();
  // The category top lists take in what the rebuild applied, as the live job would within a second.
  await options.store.refreshCategoryTops();
  await markRebuilt(options.redis, options.prefix, now());
  const seconds = (now() - started) / 1000;
  return {
    reset: options.reset === true,
    deletedKeys,
    catalogItems: catalog.size,
    catalogRestored: restored,
    logged: positioned,
    unpositioned,
    read,
    applied,
    alreadyApplied: compiled - applied - refused,
    late,
    unknownItemRefs,
    unknownTypes,
    refused,
    seconds,
    eventsPerSecond: seconds > 0 ? Math.round(read / seconds) : read,
  };
}
