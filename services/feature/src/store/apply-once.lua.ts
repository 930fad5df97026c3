/**
 * The feature store's atomic step, run by Redis for a chunk of one partition's events.
 *
 * KEYS: [1] the offsets hash. ARGV: [1] partition field, [2] mode (`live` | `fill`), [3] the chunk
 * in MessagePack (encode-chunk.ts), [4] the seen-id sets' key prefix, [5] the watermark the
 * caller expects to find ('' for any). One argument rather than thousands of small ones: decoding
 * it is one C call in Redis, and the client encodes one buffer.
 *
 * The expected watermark lets a caller send a partition's chunks without waiting for each answer:
 * a chunk that expects the last offset of the one before it applies only if that one did (or its
 * events were all applied before), and otherwise writes nothing and returns 'conflict'.
 *
 * The chunk carries the events' gate inputs (offset, id, the seen-id bucket to record it in),
 * which of them the caller expects to be new, and the writes of those, grouped per key
 * (aggregate.ts). The script first judges every event (below). If its verdicts differ from the
 * expectation (a redelivery, a retry's copy), it writes nothing and returns them, as a JSON array,
 * for the caller to group again over the new events only; otherwise it makes the writes, then
 * records the watermarks and ids (last: see the end of the script), and returns the number of new
 * events.
 *
 * The offsets hash holds, per partition: the watermark (`<partition>`, highest offset applied),
 * `first:<partition>` (the first offset this store ever applied) and `fill:<partition>` (how far
 * a rebuild has filled below `first`). An event is applied when its id is in no seen-id set within
 * reach (else it is a client retry's second copy) and:
 * - mode `live` (the consumer): its offset is above the watermark (else it is a redelivery);
 * - mode `fill` (a rebuild from the ClickHouse log): its offset is above the watermark, or below
 *   `first` and above `fill` — the part of the log the store lost or never had. A rebuild and the
 *   live consumer can therefore run at once: each offset is applied by exactly one of them.
 *
 * Redis' cost is per command far more than per member, so every write takes all of a key's members
 * at once (ZADD with many members, ZMSCORE to read the scores a log-space sum needs, one HMGET and
 * one HSET per window hash), and caps and expiries are applied once per key at the end.
 *
 * Feature keys are built by the service and passed as arguments rather than KEYS: the store
 * assumes one Redis primary (the product's deployment), where this is safe.
 */
export const APPLY_ONCE_LUA = new URL('./apply-once.lua', import.meta.url);
