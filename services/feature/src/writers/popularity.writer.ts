/**
 * Applies item interactions to the decayed popularity sorted set, exactly once in effect.
 *
 * The updates of one Kafka partition go in Lua scripts of up to `CHUNK` events, each atomic:
 * events at or below the partition's offset watermark are skipped (a redelivery after a crash or
 * a rebalance, whichever instance receives it), an event whose id was seen within
 * `SEEN_EVENT_TTL_S` is skipped (a client retry that reached Kafka twice), the others add their
 * weights, and the watermark moves to the chunk's last offset. Memory stays bounded: one
 * watermark per partition, and seen-markers only for the retry window.
 * Scores are log-sums (see @recstream/features popularity.ts), added with log-sum-exp.
 */
import type { Redis, Result } from 'ioredis';
import { POPULARITY_MAX_ITEMS, SEEN_EVENT_TTL_S, featureKeys } from '@recstream/features';

/**
 * KEYS: offsets hash, popularity zset, then one seen-marker key per event.
 * ARGV: partition field, seen TTL, max items, then per event: offset, pair count, member/score pairs.
 */
const APPLY_ONCE = `
local watermark = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '-1')
local ttl = ARGV[2]
local applied = 0
local last = watermark
local a = 4
for k = 3, #KEYS do
  local offset = tonumber(ARGV[a])
  local pairs = tonumber(ARGV[a + 1])
  a = a + 2
  if offset > watermark and redis.call('SET', KEYS[k], '1', 'NX', 'EX', ttl) then
    for j = 1, pairs do
      local member = ARGV[a]
      local add = tonumber(ARGV[a + 1])
      local current = redis.call('ZSCORE', KEYS[2], member)
      local score = add
      if current then
        local c = tonumber(current)
        local hi = math.max(c, add)
        score = hi + math.log(1 + math.exp(-math.abs(c - add)))
      end
      redis.call('ZADD', KEYS[2], score, member)
      a = a + 2
    end
    applied = applied + 1
  else
    a = a + 2 * pairs
  end
  if offset > last then last = offset end
end
if last > watermark then
  redis.call('HSET', KEYS[1], ARGV[1], string.format('%d', last))
end
-- The memory bound: past ARGV[3] members, the least popular are dropped (ZCARD is O(1)).
local excess = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[3])
if excess > 0 then
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, excess - 1)
end
return applied
`;

/** Events per script: keeps each atomic step to about a millisecond of Redis time. */
const CHUNK = 500;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    recApplyPopularityOnce(
      numberOfKeys: number,
      ...keysAndArgs: (string | number)[]
    ): Result<number, Context>;
  }
}

export interface PopularityUpdate {
  readonly eventId: string;
  /** The event's Kafka offset in its partition. */
  readonly offset: string;
  /** Items and the log-contribution of this event to each. */
  readonly contributions: readonly { readonly itemId: string; readonly logContribution: number }[];
}

export interface PopularityWriter {
  /**
   * Applies the updates of one partition (`<topic>/<partition>`), in offset order; resolves with
   * how many were new (neither redelivered nor duplicated).
   */
  apply(partition: string, updates: readonly PopularityUpdate[]): Promise<number>;
}

export function createPopularityWriter(
  redis: Redis,
  prefix: string,
  maxItems: number = POPULARITY_MAX_ITEMS,
): PopularityWriter {
  // The number of keys varies per call (one seen-marker per event), so it is passed each time.
  redis.defineCommand('recApplyPopularityOnce', { lua: APPLY_ONCE });
  const keys = featureKeys(prefix);
  return {
    async apply(partition, updates) {
      if (updates.length === 0) return 0;
      const pipeline = redis.pipeline();
      for (let start = 0; start < updates.length; start += CHUNK) {
        const chunk = updates.slice(start, start + CHUNK);
        pipeline.recApplyPopularityOnce(
          2 + chunk.length,
          keys.appliedOffsets(),
          keys.itemPopularity(),
          ...chunk.map((update) => keys.seenEvent(update.eventId)),
          partition,
          SEEN_EVENT_TTL_S,
          maxItems,
          ...chunk.flatMap((update) => [
            update.offset,
            update.contributions.length,
            ...update.contributions.flatMap((c) => [c.itemId, c.logContribution]),
          ]),
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
