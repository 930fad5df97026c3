/**
 * Applies item interactions to the decayed popularity sorted set, once per event id.
 *
 * One Lua call per event makes "mark the event seen" and "add its weight" atomic: a redelivered
 * event finds its seen-marker and changes nothing, so the feature is exactly-once in effect.
 * Scores are log-sums (see @recstream/features popularity.ts), added with log-sum-exp.
 */
import type { Redis, Result } from 'ioredis';
import { SEEN_EVENT_TTL_S, featureKeys } from '@recstream/features';

const APPLY_ONCE = `
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  return 0
end
for i = 2, #ARGV, 2 do
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
return 1
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    recApplyPopularityOnce(
      seenKey: string,
      popularityKey: string,
      ttlS: number,
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

export function createPopularityWriter(redis: Redis, prefix: string): PopularityWriter {
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
