/**
 * Writes compiled events to Redis, exactly once in effect: the events of one Kafka partition go in
 * apply-once scripts of bounded size, each atomic with the partition's offset watermark. Item-level
 * operations only add (commutative), so instances consuming different partitions can update the
 * same item concurrently and the result does not depend on their interleaving.
 */
import type { Redis, Result } from 'ioredis';
import { SEEN_EVENT_TTL_S, featureKeys } from '@recstream/features';
import { APPLY_ONCE_LUA } from './apply-once.lua.js';
import { encodeOps, type CompiledEvent } from './ops.js';

/** Events per script: keeps each atomic step to a few milliseconds of Redis time. */
const CHUNK_EVENTS = 200;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    recApplyFeaturesOnce(numberOfKeys: number, ...keysAndArgs: (string | number)[]): Result<number, Context>;
  }
}

/**
 * `live`: the consumer, applying what is above each partition's watermark. `fill`: a rebuild
 * from the log, also applying what lies below the first offset the store covered (see
 * apply-once.lua.ts); both can run at once.
 */
export type ApplyMode = 'live' | 'fill';

export interface FeatureStore {
  /**
   * Applies the events of one partition (`<topic>/<partition>`), in offset order; resolves with
   * how many were new (neither redelivered nor duplicated).
   */
  apply(partition: string, events: readonly CompiledEvent[], mode?: ApplyMode): Promise<number>;
}

export function createFeatureStore(redis: Redis, prefix: string): FeatureStore {
  // The number of keys varies per call (one seen-marker per event), so it is passed each time.
  redis.defineCommand('recApplyFeaturesOnce', { lua: APPLY_ONCE_LUA });
  const keys = featureKeys(prefix);
  return {
    async apply(partition, events, mode = 'live') {
      if (events.length === 0) return 0;
      const pipeline = redis.pipeline();
      for (let start = 0; start < events.length; start += CHUNK_EVENTS) {
        const chunk = events.slice(start, start + CHUNK_EVENTS);
        const args: (string | number)[] = [partition, mode];
        for (const event of chunk) {
          args.push(event.offset, event.seenTtlS ?? SEEN_EVENT_TTL_S, event.ops.length);
          encodeOps(event.ops, args);
        }
        pipeline.recApplyFeaturesOnce(
          1 + chunk.length,
          keys.appliedOffsets(),
          ...chunk.map((event) => keys.seenEvent(event.eventId)),
          ...args,
        );
      }
      const results = (await pipeline.exec()) ?? [];
      let applied = 0;
      for (const [error, value] of results) {
        if (error !== null) throw error;
        applied += Number(value);
      }
      return applied;
    },
  };
}
