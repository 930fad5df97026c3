/**
 * Applies item interactions to the decayed popularity sorted set, once per event id.
 *
 * One Lua call per event makes "mark the event seen" and "add its weight" atomic: a redelivered
 * event finds its seen-marker and changes nothing, so the feature is exactly-once in effect.
 * Scores are log-sums (see @recstream/features popularity.ts), added with log-sum-exp.
 */
import type { Redis, Result } from 'ioredis';
import { POPULARITY_MAX_ITEMS, SEEN_EVENT_TTL_S, featureKeys } from '@recstream/features';

const APPLY_ONCE = `
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  return 0
end
for i = 3, #ARGV, 2 do
  local member = ARGV[i]
  local add = tonumber(ARGV[i + 1])
  local current = redis.call('ZSCORE', KEYS[2], member)
  local score = add
  if current then
    local c = tonumber(current)
    local hi = math.max(c, add)
    score = hi + math.log(1 + math.exp(-math.abs(c - add)))
  end
  redis.call('ZADD', KEYS[2], score, member)
end
-- The memory bound: past ARGV[2] members, the least popular are dropped (ZCARD is O(1)).
local excess = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[2])
if excess > 0 then
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, excess - 1)
end
return 1
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    recApplyPopularityOnce(
      seenKey: string,
      popularityKey: string,
      ttlS: number,
      maxItems: number,
      ...memberScorePairs: (string | number)[]
    ): Result<number, Context>;
  }
}

export interface PopularityUpdate {
  readonly eventId: string;
  /** Items and the log-contribution of this event to each. */
  readonly contributions: readonly { readonly itemId: string; readonly logContribution: number }[];
}

export interface PopularityWriter {
  /** Applies the updates in one pipeline; resolves with how many were new (not redeliveries). */
  apply(updates: readonly PopularityUpdate[]): Promise<number>;
}

export function createPopularityWriter(
  redis: Redis,
  prefix: string,
  maxItems: number = POPULARITY_MAX_ITEMS,
): PopularityWriter {
  redis.defineCommand('recApplyPopularityOnce', { numberOfKeys: 2, lua: APPLY_ONCE });
  const keys = featureKeys(prefix);
  return {
    async apply(updates) {
      if (updates.length === 0) return 0;
      const pipeline = redis.pipeline();
      for (const update of updates) {
        pipeline.recApplyPopularityOnce(
          keys.seenEvent(update.eventId),
          keys.itemPopularity(),
          SEEN_EVENT_TTL_S,
          maxItems,
          ...update.contributions.flatMap((c) => [c.itemId, c.logContribution]),
        );
      }
      const results = (await pipeline.exec()) ?? [];
      let applied = 0;
      for (const [error, value] of results) {
        if (error !== null) throw error;
        if (value === 1) applied += 1;
      }
      return applied;
    },
  };
}
