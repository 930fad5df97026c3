/**
 * Which seen-id sets a chunk's events are checked against and recorded in. Ids live in one set per
 * SEEN_BUCKET_S of receive time rather than one key each: the apply-once script then checks a
 * whole chunk with a few SMISMEMBER calls and records it with one SADD per bucket, instead of two
 * commands per event.
 */
import { SEEN_BUCKET_S, SEEN_EVENT_TTL_S } from '@recstream/features';

export const seenBucketOf = (receivedAtMs: number): number => Math.floor(receivedAtMs / 1000 / SEEN_BUCKET_S);

/**
 * A set lives this long after its last addition: a bucket keeps receiving ids for SEEN_BUCKET_S,
 * and its last id must be remembered for the seen window (`windowS`, seconds).
 */
export const seenSetTtlS = (windowS: number): number => windowS + SEEN_BUCKET_S;
/** The sets' lifetime with the default window (SEEN_EVENT_TTL_S). */
export const SEEN_SET_TTL_S = seenSetTtlS(SEEN_EVENT_TTL_S);

export interface SeenPlan {
  /** Per event, the bucket its id is recorded in; -1 for none. */
  readonly marks: readonly number[];
  /** The buckets to look each id up in. */
  readonly check: readonly number[];
}

/**
 * Every event is looked up in every bucket within `windowS` of any event of the chunk — a slightly
 * wider window than each event's own, which only makes the guarantee stronger.
 *
 * `recordAll`: the live consumer records every id, however long ago it was received (a backlog
 * being caught up holds retries' copies too). A rebuild records only ids young enough that a
 * copy may still arrive after it (`nowMs`): the log's older events need no record.
 */
export function planSeenIds(
  receivedAtMs: readonly number[],
  recordAll: boolean,
  nowMs: number,
  windowS: number = SEEN_EVENT_TTL_S,
): SeenPlan {
  // Buckets either side of an event's own that may hold an earlier copy of it.
  const reach = Math.ceil(windowS / SEEN_BUCKET_S);
  const check = new Set<number>();
  const marks = receivedAtMs.map((ms) => {
    const bucket = seenBucketOf(ms);
    for (let b = bucket - reach; b <= bucket + reach; b += 1) check.add(b);
    return recordAll || nowMs - ms < windowS * 1000 ? bucket : -1;
  });
  return { marks, check: [...check].sort((a, b) => a - b) };
}
