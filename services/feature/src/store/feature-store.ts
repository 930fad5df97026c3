/**
 * Writes compiled events to Redis, exactly once in effect: the events of one Kafka partition go in
 * apply-once scripts of bounded size, each atomic with the partition's offset watermark. Item-level
 * operations only add (commutative), so instances consuming different partitions can update the
 * same item concurrently and the result does not depend on their interleaving.
 *
 * Each chunk's operations are aggregated (aggregate.ts) on the optimistic assumption that all its
 * events are new, which is the rule; when the script finds some are not (a redelivery, a retry's
 * copy), it writes nothing and says which are new, and the chunk is sent again aggregated over
 * those. The script re-judges every time, so what it applies is always exactly the new events.
 *
 * Failures are classified once (@recstream/redis): a transient one (connection, timeout, a busy or
 * full Redis) fails the call, and the caller retries the batch. A permanent one (an error reply: a
 * key of a foreign type, a script error) is the same on every retry, so the chunk's events are then
 * applied one at a time, and those that fail on their own are reported as refused, for the caller to
 * park; the others are applied. The script records ids and watermarks only after every write, so a
 * chunk that failed half-way is never taken for applied. What it wrote before failing stays
 * written (Redis does not undo a script), so the events applied one by one after it may count
 * those writes twice; events are checked before they reach the store (handlers/feature.handler.ts),
 * so only the store's own state (a key written by something else, a script bug) can cause this.
 */
import type { Redis, Result } from 'ioredis';
import { ERROR_CODES, TransientError, errorMessage, isTransient } from '@recstream/errors';
import { SEEN_EVENT_TTL_S, featureKeys } from '@recstream/features';
import { APPLY_ONCE_LUA } from './apply-once.lua.js';
import { aggregateOps } from './aggregate.js';
import { createCategoryTopsRefresh } from './category-tops.js';
import { encodeChunk, type ExpiryFor } from './encode-chunk.js';
import { createExpiryRenewals } from './expiry-renewals.js';
import type { CompiledEvent } from './ops.js';
import { planSeenIds, seenSetTtlS } from './seen-ids.js';
import { luaScript } from '@recstream/redis';

/**
 * Events per script. More events per chunk means fewer commands per event (a key touched by
 * several events of the chunk is written once) but a longer atomic step, during which Redis
 * answers nobody else: this keeps it to a few milliseconds.
 */
const CHUNK_EVENTS = 200;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    recApplyFeaturesOnce(
      offsetsKey: string,
      partition: string,
      mode: ApplyMode,
      chunk: Buffer,
      seenPrefix: string,
      expectedWatermark: string,
    ): Result<number | string, Context>;
  }
}

/**
 * `live`: the consumer, applying what is above each partition's watermark. `fill`: a rebuild
 * from the log, also applying what lies below the first offset the store covered (see
 * apply-once.lua.ts); both can run at once.
 */
export type ApplyMode = 'live' | 'fill';

/** An event the store cannot apply (its index in the call's events, and why): to be parked. */
export type RefusedEvent = (index: number, reason: string) => void;

export interface FeatureStore {
  /**
   * Applies the events of one partition (`<topic>/<partition>`), in offset order; resolves with
   * how many were new (neither redelivered nor duplicated). Rejects with a transient error when
   * Redis is unreachable, busy or full. Events that fail permanently are passed to `refused` and
   * the others applied; without `refused`, a permanent failure rejects the call.
   */
  apply(
    partition: string,
    events: readonly CompiledEvent[],
    mode?: ApplyMode,
    refused?: RefusedEvent,
  ): Promise<number>;
  /**
   * Brings the category top lists up to date with the popularity applied so far (by any
   * instance); resolves with the number of items refreshed. See category-tops.ts.
   */
  refreshCategoryTops(): Promise<number>;
}

/** Verdicts can change between attempts only if another writer applies the same partition meanwhile. */
const MAX_ATTEMPTS = 5;

/** The offset of a chunk's last event: the partition's watermark once the chunk is applied. */
function lastOffset(chunk: readonly CompiledEvent[] | undefined): string {
  const last = chunk?.[chunk.length - 1];
  if (last === undefined) throw new Error('an empty chunk has no last offset');
  return last.offset;
}

/** The first copy of each event id in the chunk is expected new; later copies are duplicates. */
function firstCopies(events: readonly CompiledEvent[]): boolean[] {
  const ids = new Set<string>();
  return events.map((event) => {
    if (ids.has(event.eventId)) return false;
    ids.add(event.eventId);
    return true;
  });
}

export interface FeatureStoreOptions {
  /**
   * How long event ids are remembered, in seconds of receive time: at least the lateness bound
   * plus the collector's future-skew allowance, so that any copy still accepted as on time is
   * caught (bounds.ts). Default SEEN_EVENT_TTL_S.
   */
  readonly seenWindowS?: number;
}

export function createFeatureStore(
  redis: Redis,
  prefix: string,
  now: () => number = Date.now,
  options: FeatureStoreOptions = {},
): FeatureStore {
  const seenWindowS = options.seenWindowS ?? SEEN_EVENT_TTL_S;
  const seenTtl = seenSetTtlS(seenWindowS);
  redis.defineCommand('recApplyFeaturesOnce', { lua: luaScript(APPLY_ONCE_LUA), numberOfKeys: 1 });
  const keys = featureKeys(prefix);
  const seenPrefix = keys.seenEvents(0).slice(0, -1);
  const renewals = createExpiryRenewals(now);

  /** One script call: how many events it applied, the verdicts to aggregate again for, or a conflict. */
  async function attempt(
    partition: string,
    chunk: readonly CompiledEvent[],
    mode: ApplyMode,
    expected: readonly boolean[],
    expectedWatermark: string,
  ): Promise<number | boolean[] | 'conflict'> {
    const seen = planSeenIds(
      chunk.map((event) => event.receivedAtMs),
      mode === 'live',
      now(),
      seenWindowS,
    );
    const writes = aggregateOps(chunk.filter((_, i) => expected[i]).map((event) => event.ops));
    const renewing: string[] = [];
    const expiryFor: ExpiryFor = (key, ttl) => {
      if (ttl === 0 || !renewals.due(key)) return 0;
      renewing.push(key);
      return ttl;
    };
    // Redis failures arrive classified (@recstream/redis); anything else is a permanent failure.
    const result = await redis.recApplyFeaturesOnce(
      keys.appliedOffsets(),
      partition,
      mode,
      encodeChunk(chunk, expected, seen, writes, expiryFor, seenTtl),
      seenPrefix,
      expectedWatermark,
    );
    if (typeof result === 'number') {
      renewals.renewed(renewing);
      return result;
    }
    if (result === 'conflict') return result;
    return (JSON.parse(result) as number[]).map((verdict) => verdict === 1);
  }

  /** Applies one chunk, judged against the watermark as it is, waiting for each answer. */
  async function applyChunk(
    partition: string,
    chunk: readonly CompiledEvent[],
    mode: ApplyMode,
  ): Promise<number> {
    let expected = firstCopies(chunk);
    for (let round = 1; round <= MAX_ATTEMPTS; round += 1) {
      const result = await attempt(partition, chunk, mode, expected, '');
      if (typeof result === 'number') return result;
      if (result === 'conflict') throw new Error('a chunk that expects no watermark cannot conflict');
      expected = result;
    }
    throw new TransientError(
      ERROR_CODES.unavailable,
      `partition ${partition}: the store's verdicts kept changing; is another writer applying it?`,
    );
  }

  /**
   * Applies a chunk in order; when it fails permanently, applies its events one at a time and
   * reports those that fail on their own (`first`: the chunk's first index in the call).
   */
  async function applyOrIsolate(
    partition: string,
    chunk: readonly CompiledEvent[],
    mode: ApplyMode,
    first: number,
    refused: RefusedEvent | undefined,
  ): Promise<number> {
    try {
      return await applyChunk(partition, chunk, mode);
    } catch (error) {
      if (isTransient(error) || refused === undefined) throw error;
      if (chunk.length === 1) {
        refused(first, errorMessage(error));
        return 0;
      }
      let applied = 0;
      for (const [i, event] of chunk.entries())
        applied += await applyOrIsolate(partition, [event], mode, first + i, refused);
      return applied;
    }
  }

  return {
    async apply(partition, events, mode = 'live', refused) {
      const chunks: (readonly CompiledEvent[])[] = [];
      for (let start = 0; start < events.length; start += CHUNK_EVENTS)
        chunks.push(events.slice(start, start + CHUNK_EVENTS));
      let applied = 0;
      if (mode === 'fill' || chunks.length < 2) {
        // In order: each chunk's verdicts depend on the watermark the previous one left.
        for (const [i, chunk] of chunks.entries())
          applied += await applyOrIsolate(partition, chunk, mode, i * CHUNK_EVENTS, refused);
        return applied;
      }
      // Live: every chunk at once, so Redis never waits on this process between them. Each one
      // after the first expects the watermark the one before it leaves (its last offset): it
      // applies only if that one did, or was applied before. What did not apply (a redelivery,
      // a retry's copy, or a conflict behind one) is then applied in order, one chunk at a time.
      // A chunk that failed is tried again in order too: permanently failing events are then isolated.
      const firstTries = await Promise.allSettled(
        chunks.map((chunk, i) =>
          attempt(partition, chunk, mode, firstCopies(chunk), i === 0 ? '' : lastOffset(chunks[i - 1])),
        ),
      );
      for (const result of firstTries) {
        if (result.status === 'rejected' && isTransient(result.reason)) throw result.reason;
      }
      for (const [i, result] of firstTries.entries())
        applied +=
          result.status === 'fulfilled' && typeof result.value === 'number'
            ? result.value
            : await applyOrIsolate(partition, chunks[i] ?? [], mode, i * CHUNK_EVENTS, refused);
      return applied;
    },
    refreshCategoryTops: createCategoryTopsRefresh(redis, prefix),
  };
}
