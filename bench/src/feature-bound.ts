/**
 * Events that fill one shopper and one item to every cap in bounds.ts, so that the memory
 * benchmark can measure "the bound" — the most a subject or an item can ever hold — with the real
 * compiler and store, and members of realistic sizes (the catalog's ids, categories and brands).
 */
import {
  AFFINITY_MAX,
  CART_MAX,
  COVISIT_MAX,
  PURCHASED_MAX,
  SEARCHES_MAX,
  SEQUENCE_MAX,
  WINDOWED_TYPES,
  WINDOWS,
  bucketsKept,
} from '@recstream/features';
import type { ClickstreamEvent, EnrichedEvent } from '@recstream/schemas';
import { CATEGORY_LEAVES, catalogItem, enriched, itemId } from './feature-workload.js';

/** Items of an order paired for bought-together (ORDER_PAIRS_MAX_ITEMS in the compiler). */
const ORDER_LINES = 20;
/** Items a session remembers for co-visitation (SESSION_ITEMS_MAX). */
const SESSION_ITEMS = 20;

export interface BoundWorkload {
  readonly userId: string;
  readonly anonymousId: string;
  readonly itemId: string;
  /** In the order to apply them (oldest first). */
  readonly events: readonly EnrichedEvent[];
}

/**
 * `catalogSize` items are assumed to exist (`catalogItem`); at least a few thousand make every cap
 * reachable. Times end at `nowMs`.
 */
export function boundWorkload(catalogSize: number, nowMs: number): BoundWorkload {
  if (catalogSize < COVISIT_MAX * 2 + PURCHASED_MAX + 2 * CART_MAX)
    throw new RangeError(
      `the bound needs a catalog of at least ${COVISIT_MAX * 2 + PURCHASED_MAX + 2 * CART_MAX} items`,
    );
  const userId = 'bound-user-00000001';
  const anonymousId = 'bd9f1f7e-6c1a-4c55-9a57-3f0e9b7f0c11';
  const target = itemId(0);
  const timed: { event: ClickstreamEvent; timeMs: number }[] = [];
  let sequence = 0;
  const ids = (session: string) => ({ event_id: `bound-${sequence++}`, session_id: session });

  // --- The shopper: distinct searches, categories, brands, cart items, removals and purchases. ---
  const shopper = { anonymous_id: anonymousId, user_id: userId };
  let t = nowMs - 2 * 60 * 60 * 1000;
  const step = () => (t += 1000);
  for (let q = 0; q < SEARCHES_MAX; q += 1) {
    const item = catalogItem(Math.floor((q * catalogSize) / CATEGORY_LEAVES), catalogSize);
    timed.push({
      event: {
        ...ids('bound-s'),
        ...shopper,
        type: 'search',
        query: `${item.category_path[2] ?? ''} ${item.brand ?? ''} ${q}`,
      },
      timeMs: step(),
    });
  }
  // One view per leaf category (distinct category paths and, mostly, brands), enough to fill the
  // sequence and both affinities.
  const views = Math.max(SEQUENCE_MAX, AFFINITY_MAX * 4);
  for (let v = 0; v < views; v += 1) {
    const index =
      Math.floor(((v % CATEGORY_LEAVES) * catalogSize) / CATEGORY_LEAVES) + Math.floor(v / CATEGORY_LEAVES);
    timed.push({
      event: { ...ids('bound-s'), ...shopper, type: 'view', item_id: itemId(index) },
      timeMs: step(),
    });
  }
  const distinct = (offset: number, n: number) => Array.from({ length: n }, (_, i) => itemId(offset + i));
  for (const item of distinct(1000 % catalogSize, CART_MAX))
    timed.push({
      event: {
        ...ids('bound-s'),
        ...shopper,
        type: 'add_to_cart',
        item_id: item,
        quantity: 1,
        price: 9.99,
        currency: 'EUR',
      },
      timeMs: step(),
    });
  for (const item of distinct((1000 + CART_MAX) % catalogSize, CART_MAX))
    timed.push({
      event: { ...ids('bound-s'), ...shopper, type: 'remove_from_cart', item_id: item, quantity: 1 },
      timeMs: step(),
    });
  const bought = distinct((1000 + 2 * CART_MAX) % catalogSize, PURCHASED_MAX);
  for (let start = 0; start < bought.length; start += ORDER_LINES)
    timed.push({
      event: {
        ...ids('bound-s'),
        ...shopper,
        type: 'purchase',
        order_id: `bound-order-${start}`,
        currency: 'EUR',
        items: bought
          .slice(start, start + ORDER_LINES)
          .map((item) => ({ item_id: item, price: 9.99, quantity: 1 })),
      },
      timeMs: step(),
    });

  // --- The item: every window bucket of every windowed type, and full neighbour lists. ---
  const other = { anonymous_id: 'bound-crowd' };
  const bucketTimes = new Set<number>();
  for (const spec of WINDOWS)
    for (let back = bucketsKept(spec) - 1; back >= 0; back -= 1)
      bucketTimes.add(nowMs - back * spec.bucketMs);
  for (const timeMs of [...bucketTimes].sort((a, b) => a - b))
    for (const type of WINDOWED_TYPES) {
      const event: ClickstreamEvent =
        type === 'purchase'
          ? {
              ...ids('bound-w'),
              ...other,
              type,
              order_id: `bound-w-${timeMs}`,
              currency: 'EUR',
              items: [{ item_id: target, price: 1, quantity: 1 }],
            }
          : type === 'impression'
            ? { ...ids('bound-w'), ...other, type, item_ids: [target] }
            : type === 'add_to_cart'
              ? { ...ids('bound-w'), ...other, type, item_id: target, quantity: 1, price: 1, currency: 'EUR' }
              : { ...ids('bound-w'), ...other, type, item_id: target };
      timed.push({ event, timeMs });
    }
  // Sessions of the item and SESSION_ITEMS - 1 others, a minute apart, until COVISIT_MAX
  // neighbours (and more) have been seen with it; orders likewise for bought-together.
  const perGroup = Math.min(SESSION_ITEMS, ORDER_LINES) - 1;
  const groups = Math.ceil(COVISIT_MAX / perGroup) + 1;
  let c = nowMs - 30 * 60 * 1000;
  for (let g = 0; g < groups; g += 1) {
    const neighbours = distinct(1 + g * perGroup, perGroup);
    const session = `bound-covis-${g}`;
    for (const item of [target, ...neighbours])
      timed.push({
        event: { ...ids(session), ...other, type: 'view', item_id: item },
        timeMs: (c += 60_000 / SESSION_ITEMS),
      });
    timed.push({
      event: {
        ...ids(session),
        ...other,
        type: 'purchase',
        order_id: `bound-cobuy-${g}`,
        currency: 'EUR',
        items: [target, ...neighbours].map((item) => ({ item_id: item, price: 1, quantity: 1 })),
      },
      timeMs: (c += 1000),
    });
  }

  return {
    userId,
    anonymousId,
    itemId: target,
    events: timed
      .sort((a, b) => a.timeMs - b.timeMs)
      .map(({ event, timeMs }) => enriched(event, timeMs, timeMs)),
  };
}
