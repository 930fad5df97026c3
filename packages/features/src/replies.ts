/**
 * Parsing of Redis replies shared by the readers. Redis sends scores and counts as strings; the
 * readers hand out plain numbers, and a missing member or field reads as zero.
 */
import type { ChainableCommander } from 'ioredis';

/** A sorted-set member with its score. */
export interface ScoredMember {
  readonly member: string;
  readonly score: number;
}

/** A sorted-set score as Redis writes it (`inf` and `-inf` included). */
export function parseScore(value: unknown): number {
  const text = String(value).toLowerCase();
  if (text === 'inf' || text === '+inf') return Infinity;
  if (text === '-inf') return -Infinity;
  return Number(text);
}

/** The `[member, score, member, score, …]` reply of `ZRANGE … WITHSCORES`, one entry per pair, in reply order. */
export function parseScored(flat: readonly unknown[]): ScoredMember[] {
  const pairs: ScoredMember[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2)
    pairs.push({ member: String(flat[i]), score: parseScore(flat[i + 1]) });
  return pairs;
}

/** A count or score read from Redis: absent (null) or unreadable is 0. */
export function numberOr0(value: unknown): number {
  if (value === null || value === undefined) return 0;
  const n = Number(value);
  return Number.isFinite(n) ? n : 0;
}

/** A `ZSCORE`/`ZMSCORE` entry: undefined for a member the set does not hold. */
export function optionalScore(value: unknown): number | undefined {
  if (value === null || value === undefined || value === false) return undefined;
  const n = parseScore(value);
  return Number.isNaN(n) ? undefined : n;
}

/** Runs a pipeline (one round trip) and returns each command's reply; the first failed command throws. */
export async function execPipeline(pipeline: ChainableCommander): Promise<unknown[]> {
  const results = await pipeline.exec();
  if (results === null) throw new Error('redis pipeline was discarded');
  return results.map(([error, value]) => {
    if (error !== null) throw error;
    return value;
  });
}
