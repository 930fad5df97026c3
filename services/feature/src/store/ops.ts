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
  /** Adds a member to a set (no expiry): the items whose category top lists are due a refresh. */
  | { op: 'sadd'; key: string; member: string }
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
  /** When ingest received it: places its id in a seen-id set (seen-ids.ts). */
  readonly receivedAtMs: number;
  readonly ops: readonly FeatureOp[];
}
