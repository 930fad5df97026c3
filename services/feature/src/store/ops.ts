import type { StoreOp } from './aggregate.js';

/**
 * The feature store's write vocabulary. The event compiler turns each event into a list of these
 * operations (pure TypeScript, unit-tested); the apply-once script runs a chunk of them in Redis
 * atomically with the offset watermark. Keeping Redis' side a small interpreter means feature
 * logic is written and tested once, in TypeScript, and the atomic part stays small.
 *
 * `cap` trims a sorted set to its `cap` highest members (0: no cap); `ttl` (seconds, 0: none)
 * renews the key's expiry.
 */
export type FeatureOp =
  /** Adds exp(logScore) to a member's log-space score (decayed counts, see popularity.ts). */
  | { op: 'zlog'; key: string; member: string; logScore: number; cap: number; ttl: number }
  /** Sets a member's score unless it already has a higher one (latest time wins, order-free). */
  | { op: 'zmax'; key: string; member: string; score: number; cap: number; ttl: number }
  | { op: 'zincr'; key: string; member: string; delta: number; cap: number; ttl: number }
  | { op: 'hincr'; key: string; field: string; delta: number; ttl: number }
  /**
   * Counts one event in its bucket of each window, in an item's window hash. Buckets that fell out
   * of a window since its newest bucket are deleted; an event older than a window's kept buckets
   * is not counted in it.
   */
  | {
      op: 'win';
      key: string;
      type: string;
      types: readonly string[];
      buckets: readonly { readonly window: string; readonly bucket: number; readonly keep: number }[];
      ttl: number;
    }
  /**
   * Co-visitation: pairs this event of `item` with the session's other events of other items
   * within `maxGapMs`, weight `min(weight, theirs) · exp(-gap/gapTauMs)`, in both neighbour sets
   * (`<keyPrefix><item><keySuffix>`), then records the event in the session.
   */
  | {
      op: 'covis';
      sessionKey: string;
      item: string;
      timeMs: number;
      weight: number;
      maxGapMs: number;
      gapTauMs: number;
      cap: number;
      ttl: number;
      sessionCap: number;
      sessionTtl: number;
      keyPrefix: string;
      keySuffix: string;
    }
  /**
   * When `aliasKey` exists (an anonymous shopper who logged in), the next `count` operations write
   * to the user it names instead: keys starting with `fromPrefix` are rewritten to
   * `toBase .. <alias> .. ':' .. rest`. The alias' expiry is renewed.
   */
  | { op: 'follow'; aliasKey: string; fromPrefix: string; toBase: string; count: number; ttl: number }
  /** Merges sorted set `from` into `key` (log-space sum, `log`, or the higher score, `max`), then deletes `from`. */
  | { op: 'zmerge'; key: string; from: string; mode: 'log' | 'max'; cap: number; ttl: number }
  /** Sets `key` to `value` with `ttl`; when it already existed, the next `skip` operations are not run. */
  | { op: 'once'; key: string; value: string; ttl: number; skip: number };

/** One event's operations, gated as a whole by its offset and id. */
export interface CompiledEvent {
  readonly eventId: string;
  /** The event's Kafka offset in its partition. */
  readonly offset: string;
  /**
   * How long to remember the event id (default SEEN_EVENT_TTL_S); 0 checks the marker without
   * setting one — a rebuild replaying old events need not fill Redis with markers nobody needs.
   */
  readonly seenTtlS?: number;
  readonly ops: readonly FeatureOp[];
}

/** One op as the array apply-once.lua reads: its name, then its arguments in a fixed order. */
function encodeOp(o: StoreOp): unknown[] {
  switch (o.op) {
    case 'zlog':
      return ['zlog', o.key, o.member, o.logScore, o.cap, o.ttl];
    case 'zmax':
      return ['zmax', o.key, o.member, o.score, o.cap, o.ttl];
    case 'zincr':
      return ['zincr', o.key, o.member, o.delta, o.cap, o.ttl];
    case 'hincr':
      return ['hincr', o.key, o.field, o.delta, o.ttl];
    case 'wins':
      return [
        'wins',
        o.key,
        o.ttl,
        o.types,
        o.counts.map((c) => [c.type, c.window, c.bucket, c.keep, c.count]),
      ];
    case 'covis':
      return [
        'covis',
        o.sessionKey,
        o.item,
        o.timeMs,
        o.weight,
        o.maxGapMs,
        o.gapTauMs,
        o.cap,
        o.ttl,
        o.sessionCap,
        o.sessionTtl,
        o.keyPrefix,
        o.keySuffix,
      ];
    case 'zmerge':
      return ['zmerge', o.key, o.from, o.mode, o.cap, o.ttl];
    case 'once':
      return ['once', o.key, o.value, o.ttl, o.skip];
    case 'follow':
      return ['follow', o.aliasKey, o.fromPrefix, o.toBase, o.count, o.ttl];
  }
}

/**
 * A chunk as the one JSON argument apply-once.lua decodes: the events' gate inputs
 * `[[offset, seenTtlS], …]` (offsets stay strings: they may exceed 2^53), which of them the caller
 * expects to be new, and the operations of those, aggregated.
 */
export function encodeChunk(
  events: readonly CompiledEvent[],
  expected: readonly boolean[],
  ops: readonly StoreOp[],
  defaultSeenTtlS: number,
): string {
  return JSON.stringify({
    events: events.map((event) => [event.offset, event.seenTtlS ?? defaultSeenTtlS]),
    expected: expected.map((fresh) => (fresh ? 1 : 0)),
    ops: ops.map(encodeOp),
  });
}
