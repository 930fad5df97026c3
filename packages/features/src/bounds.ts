/**
 * Memory bounds and lifetimes of the feature families (see the table in keys.ts). Every family is
 * either capped in members or expires, so Redis memory is bounded by (active subjects × subject
 * caps) + (catalog × item caps) + (event rate × seen-marker TTL).
 */

/**
 * How long an event id is remembered, by default, to skip a client retry's second copy (the offset
 * watermark covers redelivery). A copy is applied only if it reached ingest within the lateness
 * bound (REC_FEATURE_MAX_LATENESS_MS, 15 min) of its event time, and ingest keeps a client time at
 * most FUTURE_SKEW_ALLOWANCE_S ahead of its clock, so two copies carrying the client's time that
 * are both accepted were received at most lateness + skew apart: the window is that
 * (`seenWindowS`), 20 minutes by default. Copies whose event time is their receive time (sent
 * without `timestamp`, or with one too far off and corrected) are caught only within the window.
 * Ids are kept in one set per SEEN_BUCKET_S of receive time, which expires the window after its
 * bucket ends; an event is checked against every bucket within the window of its own.
 * Memory: rate × (window + bucket) × ~96 B (a UUID id in a large set), so ~145 MB per 1,000
 * events/s with the defaults (~2.9 GB at 20,000/s); a shorter lateness bound shrinks it.
 */
export const SEEN_EVENT_TTL_S = 20 * 60;
/** Ingest's default allowance for client clocks ahead of its own (REC_INGEST_MAX_FUTURE_SKEW_MS). */
export const FUTURE_SKEW_ALLOWANCE_S = 5 * 60;
/** The seen window never goes below this: a client retry comes within seconds to minutes. */
export const SEEN_WINDOW_MIN_S = 15 * 60;
/** The seen window that catches every copy accepted under lateness bound `maxLatenessMs`. */
export const seenWindowS = (maxLatenessMs: number): number =>
  Math.max(SEEN_WINDOW_MIN_S, Math.ceil(maxLatenessMs / 1000) + FUTURE_SKEW_ALLOWANCE_S);
/** Width of one seen-id set, in seconds of receive time. */
export const SEEN_BUCKET_S = 5 * 60;
export const POPULARITY_MAX_ITEMS = 1_000_000;
/** Items kept per category top list. */
export const CATEGORY_TOP_MAX = 1_000;
/** Category path levels that get a top list ("Beauty", "Beauty > Makeup", …). */
export const CATEGORY_LEVELS_MAX = 3;
/** Neighbours kept per item; readers serve at most half, so a newcomer can climb before it is trimmed. */
export const COVISIT_MAX = 100;
/**
 * Recent interactions kept per subject: twice what the sequence model reads, and under Redis'
 * 128-entry limit for compact sorted sets (past it, a set costs ~3x the memory).
 */
export const SEQUENCE_MAX = 100;
export const AFFINITY_MAX = 50;
export const SEARCHES_MAX = 20;
export const CART_MAX = 100;
/** Under the compact-encoding limit too (see SEQUENCE_MAX). */
export const PURCHASED_MAX = 120;
/** Events of a session remembered for co-visitation pairs (pairs are exact up to this many per session). */
export const SESSION_ITEMS_MAX = 20;
/** A shopper's features expire after this long without an event (each event renews it). */
export const SUBJECT_TTL_S = 90 * 24 * 60 * 60;
/** A session's item list expires this long after its last event. */
export const SESSION_TTL_S = 2 * 60 * 60;
/** An item's windows and neighbours expire after this long without an event. */
export const ITEM_TTL_S = 30 * 24 * 60 * 60;
