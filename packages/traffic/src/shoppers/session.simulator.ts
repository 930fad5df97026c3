/**
 * One shopping session as a realistic funnel: an entry (search, home recommendations or a
 * category page), a walk of product views chosen by taste × popularity, some add-to-carts, a few
 * removals, and sometimes a purchase. Impressions carry a request_id that the clicks and views
 * they lead to repeat, with the clicked position.
 *
 * Pure given its random stream: the same shopper, stream and ids give the same events.
 */
import type { ClickstreamEvent } from '@recstream/schemas';
import { CURRENCY, type SimCatalog, type SimItem } from '../catalog/catalog.generator.js';
import type { Rng } from '../random.js';
import { tasteFor, type Shopper } from './shopper.model.js';

type EventOf<T extends ClickstreamEvent['type']> = Extract<ClickstreamEvent, { type: T }>;
type PageContext = NonNullable<NonNullable<ClickstreamEvent['context']>['page']>;

/** Id factories; the traffic source makes them unique per run. */
export interface SessionIds {
  session(): string;
  event(): string;
  request(): string;
  order(): string;
}

export interface SessionSetup {
  readonly catalog: SimCatalog;
  readonly rng: Rng;
  readonly ids: SessionIds;
  /** The item with a burst of interest right now, if any. */
  readonly trend?: SimItem | undefined;
}

/** Funnel knobs; the defaults give e-commerce-like rates (a few % of views carted, ~1/3 of carts bought). */
export const FUNNEL = {
  /** Share of sessions, while a trend runs, that are drawn to the trending item. */
  trendShare: 0.35,
  /** Weight multiplier of the trending item wherever items are chosen. */
  trendBoost: 15,
  continueBrowsing: 0.72,
  maxViews: 25,
  baseCartRate: 0.06,
  removeRate: 0.12,
  checkoutRate: 0.35,
  searchResultsShown: 20,
  homeRecsShown: 8,
  similarShown: 6,
} as const;

const SHOP_URL = 'https://shop.example.com';

function categoryPage(item: SimItem): string {
  return item.item.category_path.join(' > ');
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

function aisleUrl(catalog: SimCatalog, top: number, sub: number): string {
  const category = catalog.categories[top];
  return `${SHOP_URL}/c/${slug(category?.name ?? 'all')}/${slug(category?.subcategories[sub]?.name ?? 'all')}`;
}

export function simulateSession(shopper: Shopper, setup: SessionSetup): ClickstreamEvent[] {
  const { catalog, rng, ids, trend } = setup;
  const loggedIn = rng.chance(shopper.loginRate);
  const identity = loggedIn ? { user_id: shopper.userId } : { anonymous_id: shopper.anonymousId };
  const sessionId = ids.session();
  const events: ClickstreamEvent[] = [];
  const cart = new Map<string, { item: SimItem; quantity: number }>();
  const trendDriven = trend !== undefined && rng.chance(FUNNEL.trendShare);
  let lastUrl: string | undefined;
  let lastViewed: SimItem | undefined;
  let views = 0;

  const common = (page: PageContext) => ({
    event_id: ids.event(),
    ...identity,
    session_id: sessionId,
    context: { page, locale: shopper.locale, user_agent: shopper.userAgent },
  });

  const boost = (item: SimItem): number =>
    trend !== undefined && item.index === trend.index ? FUNNEL.trendBoost : 1;
  const appeal = (item: SimItem): number => item.popularity * tasteFor(shopper, item, catalog) * boost(item);

  const drawCategory = (): { top: number; sub: number } => {
    const top = rng.weightedIndex(shopper.categoryTaste);
    return { top, sub: rng.weightedIndex(shopper.subcategoryTaste[top] ?? []) };
  };

  const pickIn = (top: number, sub: number, exclude?: SimItem): SimItem => {
    const pool = (catalog.byCategory[top]?.[sub] ?? []).filter((i) => i !== exclude);
    if (pool.length === 0) return catalog.items[catalog.popularity.sample(rng)] as SimItem;
    return pool[rng.weightedIndex(pool.map(appeal))] as SimItem;
  };

  /** Position-biased choice in a shown list: people click near the top, and what they like. */
  const pickClick = (shown: readonly SimItem[]): number =>
    rng.weightedIndex(
      shown.map((item, position) => (tasteFor(shopper, item, catalog) * boost(item)) / (position + 1)),
    );

  const view = (item: SimItem, requestId?: string): void => {
    const url = item.item.url ?? `${SHOP_URL}/p/${item.item.item_id}`;
    const page: PageContext = { type: 'product', url, category: categoryPage(item) };
    if (lastUrl !== undefined) page.referrer = lastUrl;
    const event: EventOf<'view'> = {
      ...common(page),
      type: 'view',
      item_id: item.item.item_id,
      price: item.price,
      currency: CURRENCY,
      ...(requestId === undefined ? {} : { request_id: requestId }),
    };
    events.push(event);
    lastUrl = url;
    lastViewed = item;
    views += 1;

    const cartRate =
      FUNNEL.baseCartRate *
      shopper.buyingMood *
      Math.min(2.5, Math.max(0.3, tasteFor(shopper, item, catalog) ** 0.3)) *
      (boost(item) > 1 ? 2 : 1);
    if (item.buyable && rng.chance(Math.min(0.6, cartRate))) {
      const quantity = Math.min(5, 1 + rng.geometric(0.75));
      const line = cart.get(item.item.item_id);
      cart.set(item.item.item_id, { item, quantity: (line?.quantity ?? 0) + quantity });
      events.push({
        ...common({ type: 'product', url }),
        type: 'add_to_cart',
        item_id: item.item.item_id,
        quantity,
        price: item.price,
        currency: CURRENCY,
      });
    }
  };

  /** Shows a list, maybe clicks one entry and views it. Returns whether something was viewed. */
  const showList = (
    list: string,
    page: PageContext,
    shown: readonly SimItem[],
    clickRate: number,
  ): boolean => {
    if (shown.length === 0) return false;
    const requestId = ids.request();
    events.push({
      ...common(page),
      type: 'impression',
      request_id: requestId,
      list,
      item_ids: shown.map((i) => i.item.item_id),
    });
    lastUrl = page.url;
    if (!rng.chance(clickRate)) return false;
    const position = pickClick(shown);
    const clicked = shown[position] as SimItem;
    events.push({
      ...common(page),
      type: 'click',
      request_id: requestId,
      item_id: clicked.item.item_id,
      position,
    });
    view(clicked, requestId);
    return true;
  };

  const search = (target: SimItem): boolean => {
    const query = queryFor(target, catalog, rng);
    const results = catalog.search(query);
    const url = `${SHOP_URL}/search?q=${encodeURIComponent(query)}`;
    events.push({ ...common({ type: 'search', url }), type: 'search', query, results_count: results.length });
    lastUrl = url;
    return showList(
      'search_results',
      { type: 'search', url },
      results.slice(0, FUNNEL.searchResultsShown),
      0.85,
    );
  };

  const homeRecs = (): SimItem[] => {
    const shown = new Map<number, SimItem>();
    if (trendDriven) shown.set(trend.index, trend);
    for (let tries = 0; shown.size < FUNNEL.homeRecsShown && tries < 50; tries += 1) {
      const item = catalog.items[catalog.popularity.sample(rng)] as SimItem;
      shown.set(item.index, item);
    }
    return [...shown.values()];
  };

  // Entry.
  let intent = trendDriven ? { top: trend.top, sub: trend.sub } : drawCategory();
  const entry = rng.next();
  if (trendDriven && entry < 0.5) {
    showList('home_recs', { type: 'home', url: `${SHOP_URL}/` }, homeRecs(), 0.9);
  } else if (trendDriven) {
    search(trend);
  } else if (entry < 0.35) {
    search(pickIn(intent.top, intent.sub));
  } else if (entry < 0.65) {
    showList('home_recs', { type: 'home', url: `${SHOP_URL}/` }, homeRecs(), 0.6);
  } else {
    lastUrl = aisleUrl(catalog, intent.top, intent.sub);
    view(pickIn(intent.top, intent.sub));
  }

  // Browsing walk.
  let current = lastViewed;
  while (views < FUNNEL.maxViews && rng.chance(FUNNEL.continueBrowsing)) {
    const step = rng.next();
    if (step < 0.25 && current !== undefined) {
      const similar: SimItem[] = [];
      for (let i = 0; i < FUNNEL.similarShown; i += 1) {
        const item = pickIn(current.top, current.sub, current);
        if (!similar.includes(item)) similar.push(item);
      }
      showList('similar_items', { type: 'product', url: current.item.url ?? SHOP_URL }, similar, 0.4);
    } else if (step < 0.8) {
      const sub = rng.chance(0.8)
        ? intent.sub
        : rng.weightedIndex(shopper.subcategoryTaste[intent.top] ?? []);
      lastUrl = aisleUrl(catalog, intent.top, sub);
      view(pickIn(intent.top, sub, current));
    } else if (step < 0.9) {
      search(pickIn(intent.top, intent.sub));
    } else {
      intent = drawCategory();
      view(pickIn(intent.top, intent.sub));
    }
    current = lastViewed ?? current;
  }

  // Cart review and checkout.
  for (const [itemId, line] of cart) {
    if (!rng.chance(FUNNEL.removeRate)) continue;
    cart.delete(itemId);
    events.push({
      ...common({ type: 'cart', url: `${SHOP_URL}/cart` }),
      type: 'remove_from_cart',
      item_id: itemId,
      quantity: line.quantity,
    });
  }
  if (cart.size > 0 && rng.chance(Math.min(0.85, FUNNEL.checkoutRate * shopper.buyingMood))) {
    const lines = [...cart.values()];
    const total = lines.reduce((sum, l) => sum + l.item.price * l.quantity, 0);
    events.push({
      ...common({ type: 'checkout', url: `${SHOP_URL}/checkout` }),
      type: 'purchase',
      order_id: ids.order(),
      currency: CURRENCY,
      items: lines.map((l) => ({ item_id: l.item.item.item_id, price: l.item.price, quantity: l.quantity })),
      properties: { total: Math.round(total * 100) / 100 },
    });
  }
  return events;
}

/** A query a shopper looking for `item` might type: its noun, with a brand or adjective, or the aisle. */
export function queryFor(item: SimItem, catalog: SimCatalog, rng: Rng): string {
  const roll = rng.next();
  const aisle = catalog.categories[item.top]?.subcategories[item.sub]?.name ?? item.noun;
  if (roll < 0.35) return item.noun;
  if (roll < 0.55) return `${item.brand} ${item.noun}`.toLowerCase();
  if (roll < 0.75) return `${item.adjective} ${item.noun}`;
  if (roll < 0.9) return aisle.toLowerCase();
  return item.brand.toLowerCase();
}
