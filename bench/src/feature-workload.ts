/**
 * A synthetic but shop-like clickstream for the feature benchmarks: a catalog with a category tree
 * and brands, item popularity that is heavily skewed (Zipf), shoppers whose activity is skewed too
 * (most come once, a few many times), sessions that browse around one category, carts, orders,
 * searches, impressions, and registered shoppers who log in mid-session. Deterministic for a seed,
 * so two runs offer the same work. Pure: no I/O, no clock (the caller stamps times).
 */
import type { toItemMeta } from '@recstream/features';
import type { ClickstreamEvent, EnrichedEvent } from '@recstream/schemas';
import { mulberry32 } from '@recstream/traffic';

/** The catalog fields the feature service keeps per item. */
export type ItemMetaSource = Parameters<typeof toItemMeta>[0];

/** A seeded generator of floats in [0, 1): the simulated shop's (mulberry32). */
export const seededRandom = mulberry32;

/**
 * Draws ranks 0…n-1 with P(rank r) ∝ 1/(r+1)^s, by binary search in the cumulative weights
 * (O(log n) per draw; n floats of memory).
 */
export function zipfSampler(n: number, s: number, random: () => number): () => number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`zipf needs a positive integer size, got ${n}`);
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let rank = 0; rank < n; rank += 1) {
    total += 1 / (rank + 1) ** s;
    cumulative[rank] = total;
  }
  return () => {
    const target = random() * total;
    let low = 0;
    let high = n - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((cumulative[mid] ?? total) < target) low = mid + 1;
      else high = mid;
    }
    return low;
  };
}

/** A UUID-shaped id from the generator (clients' event, device and session ids look like this). */
export function randomUuid(random: () => number): string {
  let hex = '';
  for (let i = 0; i < 4; i += 1)
    hex += Math.floor(random() * 2 ** 32)
      .toString(16)
      .padStart(8, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const pick = <T>(values: readonly T[], random: () => number): T => {
  const value = values[Math.floor(random() * values.length)];
  if (value === undefined) throw new Error('pick from an empty list');
  return value;
};

const DEPARTMENTS = [
  'Beauty',
  'Home & Kitchen',
  'Electronics',
  'Fashion',
  'Sports & Outdoors',
  'Toys & Games',
  'Garden',
  'Health',
  'Books',
  'Grocery',
  'Automotive',
  'Pet Supplies',
];
const AISLES = ['Essentials', 'Premium', 'Accessories', 'Care', 'Tools', 'Sets', 'Storage', 'Kids'];
const SHELVES = ['Classic', 'Compact', 'Professional', 'Travel', 'Eco'];
const ADJECTIVES = ['Soft', 'Ultra', 'Smart', 'Daily', 'Organic', 'Deluxe', 'Mini', 'Pro', 'Light', 'Bold'];
const NOUNS = [
  'Cream',
  'Kettle',
  'Headphones',
  'Jacket',
  'Bottle',
  'Puzzle',
  'Lamp',
  'Serum',
  'Mat',
  'Brush',
];
const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ra', 'tu', 'vo', 'zi', 'sa', 'be', 'do', 'fy'];
const QUERIES = ['cheap', 'best', 'gift', 'for kids', 'waterproof', 'large', 'black', 'set of 2', 'sale'];

/** Leaf categories of the tree: department › aisle › shelf. */
export const CATEGORY_LEAVES = DEPARTMENTS.length * AISLES.length * SHELVES.length;

export function categoryPath(leaf: number): string[] {
  const shelf = leaf % SHELVES.length;
  const aisle = Math.floor(leaf / SHELVES.length) % AISLES.length;
  const department = Math.floor(leaf / (SHELVES.length * AISLES.length)) % DEPARTMENTS.length;
  const top = DEPARTMENTS[department] ?? '';
  return [top, `${top} ${AISLES[aisle] ?? ''}`, `${AISLES[aisle] ?? ''} ${SHELVES[shelf] ?? ''}`];
}

export const itemId = (index: number): string => `sku-${String(index).padStart(6, '0')}`;

/**
 * Item `index` of a catalog of `size`: items of a leaf category are contiguous in index order (so
 * "a similar item" is a near index), with one of ~1.5 % as many brands as items.
 */
export function catalogItem(index: number, size: number): ItemMetaSource {
  const random = seededRandom(index * 2654435761);
  const brandCount = Math.max(1, Math.floor(size * 0.015));
  const brandNumber = Math.floor(random() * brandCount);
  let brand = '';
  for (let n = brandNumber + 1; n > 0; n = Math.floor(n / SYLLABLES.length))
    brand += SYLLABLES[n % SYLLABLES.length] ?? '';
  brand = brand.charAt(0).toUpperCase() + brand.slice(1);
  return {
    item_id: itemId(index),
    title: `${brand} ${pick(ADJECTIVES, random)} ${pick(NOUNS, random)} ${100 + Math.floor(random() * 900)}`,
    category_path: categoryPath(Math.floor((index * CATEGORY_LEAVES) / size)),
    brand,
    price: Math.round((2 + random() * 300) * 100) / 100,
    currency: 'EUR',
    availability: 'in_stock',
  };
}

export interface WorkloadOptions {
  readonly seed: number;
  /** Catalog size (items `sku-000000`…). */
  readonly items: number;
  /** Shoppers to go through; the stream ends when each has finished all its sessions. */
  readonly shoppers: number;
  /** Share of shoppers who have an account (and log in at some point). */
  readonly loginShare: number;
  /** Shoppers browsing at the same time (their events interleave in the stream). */
  readonly concurrentShoppers: number;
  /** Zipf exponent of item popularity. */
  readonly itemSkew?: number;
}

interface Shopper {
  readonly anonymousId: string;
  readonly userId: string | undefined;
  sessionsLeft: number;
  eventsLeft: number;
  sessionId: string;
  /** This session's events carry user_id from this many events before the session's end. */
  loggedInFor: number;
  lastItem: number;
  readonly cart: number[];
}

/**
 * The stream of client events (no `timestamp`: the caller stamps it), each shopper's in order.
 * Sessions per shopper follow a Pareto tail (mean ≈ 1.4, a few dozen at most), events per session
 * a geometric one (mean ≈ 3.3): about 4.5 events per shopper.
 */
export function* clickstream(options: WorkloadOptions): Generator<ClickstreamEvent> {
  const random = seededRandom(options.seed);
  const zipf = zipfSampler(options.items, options.itemSkew ?? 1.0, random);
  // Popularity rank → item, spread over the catalog (the bestsellers are not all in one category).
  // 7919 is prime and coprime with any catalog size that is not its multiple.
  const stride = options.items % 7919 === 0 ? 1 : 7919;
  const popular = () => (zipf() * stride) % options.items;
  const perLeaf = Math.max(1, Math.floor(options.items / CATEGORY_LEAVES));
  const sessionLength = () => 1 + Math.floor(Math.log(1 - random()) / Math.log(0.7));

  let nextShopper = 0;
  const newShopper = (): Shopper | undefined => {
    if (nextShopper >= options.shoppers) return undefined;
    const index = nextShopper++;
    const registered = random() < options.loginShare;
    return {
      anonymousId: randomUuid(random),
      userId: registered ? String(10_000_000 + index) : undefined,
      sessionsLeft: Math.min(40, Math.floor(1 / (1 - random()) ** (1 / 2.5))) - 1,
      eventsLeft: sessionLength(),
      sessionId: randomUuid(random),
      loggedInFor: 0,
      lastItem: popular(),
      cart: [],
    };
  };
  const startSession = (shopper: Shopper, first: boolean) => {
    shopper.eventsLeft = sessionLength();
    shopper.sessionId = randomUuid(random);
    if (shopper.userId === undefined) shopper.loggedInFor = 0;
    // A registered shopper logs in half-way through the first session; later sessions are mostly
    // logged in from the start (a remembered login), sometimes not at all.
    else if (first) shopper.loggedInFor = Math.floor(shopper.eventsLeft / 2);
    else shopper.loggedInFor = random() < 0.7 ? shopper.eventsLeft : 0;
  };

  const active: Shopper[] = [];
  for (let i = 0; i < options.concurrentShoppers; i += 1) {
    const shopper = newShopper();
    if (shopper === undefined) break;
    startSession(shopper, true);
    active.push(shopper);
  }

  const nextItem = (shopper: Shopper) => {
    // Browsing stays near the last item (same category) half of the time.
    if (random() < 0.5) {
      const leafStart = shopper.lastItem - (shopper.lastItem % perLeaf);
      shopper.lastItem = Math.min(options.items - 1, leafStart + Math.floor(random() * perLeaf));
    } else {
      shopper.lastItem = popular();
    }
    return shopper.lastItem;
  };

  while (active.length > 0) {
    const slot = Math.floor(random() * active.length);
    const shopper = active[slot];
    if (shopper === undefined) break;
    const ids = {
      event_id: randomUuid(random),
      anonymous_id: shopper.anonymousId,
      session_id: shopper.sessionId,
      ...(shopper.userId !== undefined && shopper.eventsLeft <= shopper.loggedInFor
        ? { user_id: shopper.userId }
        : {}),
    };
    const roll = random();
    let event: ClickstreamEvent;
    if (roll < 0.5) event = { ...ids, type: 'view', item_id: itemId(nextItem(shopper)) };
    else if (roll < 0.65)
      event = {
        ...ids,
        type: 'click',
        item_id: itemId(nextItem(shopper)),
        position: Math.floor(random() * 20),
      };
    else if (roll < 0.75)
      event = {
        ...ids,
        type: 'impression',
        item_ids: Array.from({ length: 10 }, () => itemId(popular())),
        list: 'home',
      };
    else if (roll < 0.8) {
      const item = catalogItem(nextItem(shopper), options.items);
      event = {
        ...ids,
        type: 'search',
        query: `${(item.category_path[2] ?? '').toLowerCase()} ${pick(QUERIES, random)}`,
      };
    } else if (roll < 0.9) {
      const item = nextItem(shopper);
      if (shopper.cart.length < 30) shopper.cart.push(item);
      event = {
        ...ids,
        type: 'add_to_cart',
        item_id: itemId(item),
        quantity: 1,
        price: 19.99,
        currency: 'EUR',
      };
    } else if (roll < 0.94 && shopper.cart.length > 0) {
      const item = shopper.cart.splice(Math.floor(random() * shopper.cart.length), 1)[0] ?? 0;
      event = { ...ids, type: 'remove_from_cart', item_id: itemId(item), quantity: 1 };
    } else if (roll < 0.97) {
      const lines = shopper.cart.length > 0 ? shopper.cart.splice(0, 3) : [shopper.lastItem];
      event = {
        ...ids,
        type: 'purchase',
        order_id: randomUuid(random),
        currency: 'EUR',
        items: lines.map((item) => ({ item_id: itemId(item), price: 19.99, quantity: 1 })),
      };
    } else event = { ...ids, type: 'view', item_id: itemId(nextItem(shopper)) };
    yield event;

    shopper.eventsLeft -= 1;
    if (shopper.eventsLeft > 0) continue;
    if (shopper.sessionsLeft > 0) {
      shopper.sessionsLeft -= 1;
      startSession(shopper, false);
      continue;
    }
    const replacement = newShopper();
    if (replacement === undefined) {
      active.splice(slot, 1);
    } else {
      startSession(replacement, true);
      active[slot] = replacement;
    }
  }
}

/** The event as ingest would have produced it to Kafka, had it happened and arrived at these times. */
export function enriched(event: ClickstreamEvent, eventTimeMs: number, receivedAtMs: number): EnrichedEvent {
  return {
    ...event,
    schema_version: 1,
    event_time: new Date(eventTimeMs).toISOString(),
    received_at: new Date(receivedAtMs).toISOString(),
    source: 'bench',
  };
}
