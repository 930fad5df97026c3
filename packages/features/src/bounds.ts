/**
 * Memory bounds and lifetimes of the feature families (see the table in keys.ts). Every family is
 * either capped in members or expires, so Redis memory is bounded by (active subjects × subject
 * caps) + (catalog × item caps) + (event rate × seen-marker TTL).
 */

/** How long an event id is remembered, to skip a client retry's second copy (the offset watermark covers redelivery). */
export const SEEN_EVENT_TTL_S = 60 * 60;
export const POPULARITY_MAX_ITEMS = 1_000_000;
/** Items kept per category top list. */
export const CATEGORY_TOP_MAX = 1_000;
/** Category path levels that get a top list ("Beauty", "Beauty > Makeup", …). */
export const CATEGORY_LEVELS_MAX = 3;
/** Neighbours kept per item; readers serve at most half, so a newcomer can climb before it is trimmed. */
export const COVISIT_MAX = 100;
/** Recent interactions kept per subject. */
export const SEQUENCE_MAX = 200;
export const AFFINITY_MAX = 50;
export const SEARCHES_MAX = 20;
export const CART_MAX = 100;
export const PURCHASED_MAX = 500;
/** Events of a session remembered for co-visitation pairs (pairs are exact up to this many per session). */
export const SESSION_ITEMS_MAX = 20;
/** A shopper's features expire after this long without an event (each event renews it). */
export const SUBJECT_TTL_S = 90 * 24 * 60 * 60;
/** A session's item list expires this long after its last event. */
export const SESSION_TTL_S = 2 * 60 * 60;
/** An item's windows and neighbours expire after this long without an event. */
export const ITEM_TTL_S = 30 * 24 * 60 * 60;
