/** A key's rate limit: a token bucket (@recstream/redis `createTokenBucketLimiter`). */
export interface RateLimit {
  /** Units per second, sustained: events or items for write keys, requests for API keys. */
  readonly ratePerSecond: number;
  /** Units a key may use at once after being idle: the bucket's capacity. */
  readonly burst: number;
}

/** Problems with a rate limit counted in `unit` (plural: "events"), as sentences; empty when valid. */
export function rateLimitProblems(limit: RateLimit, unit: string): string[] {
  const problems: string[] = [];
  if (!Number.isSafeInteger(limit.ratePerSecond) || limit.ratePerSecond < 1)
    problems.push(
      `rate must be a whole number of ${unit} per second, at least 1 (got ${limit.ratePerSecond})`,
    );
  if (!Number.isSafeInteger(limit.burst) || limit.burst < 1)
    problems.push(`burst must be a whole number of ${unit}, at least 1 (got ${limit.burst})`);
  return problems;
}
