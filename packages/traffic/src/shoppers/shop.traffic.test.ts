import { createValidators, type ClickstreamEvent } from '@recstream/schemas';
import t from 'tap';
import { generateCatalog, type SimItem } from '../catalog/catalog.generator.js';
import { ShopTraffic, type ShopTrafficOptions } from './shop.traffic.js';
import { generateShoppers } from './shopper.model.js';

const now = new Date('2025-03-01T12:00:00.000Z');
const catalog = generateCatalog({ items: 2000, seed: 42, now });
const shoppers = generateShoppers({ count: 5000, seed: 42, catalog });

function take(count: number, options: Partial<ShopTrafficOptions> = {}): ClickstreamEvent[] {
  const traffic = new ShopTraffic(catalog, shoppers, {
    seed: 42,
    runId: 'test',
    concurrentSessions: 300,
    ...options,
  });
  return Array.from({ length: count }, () => traffic.next());
}

const events = take(30_000);
const byType = (type: ClickstreamEvent['type']) => events.filter((e) => e.type === type);

t.test('every event satisfies the event contract, every type occurs', (t) => {
  const validators = createValidators();
  const problems = events
    .map((e) => ({ ...e, timestamp: now.toISOString() }))
    .map((e) => ({ id: e.event_id, verdict: validators.validateEvent(e) }))
    .filter((r) => !r.verdict.ok);
  t.same(problems.slice(0, 3), [], 'no event fails validation');
  t.same(
    new Set(events.map((e) => e.type)),
    new Set(['view', 'click', 'add_to_cart', 'remove_from_cart', 'purchase', 'search', 'impression']),
  );
  t.equal(new Set(events.map((e) => e.event_id)).size, events.length, 'event ids are unique');
  t.end();
});

t.test('the traffic is deterministic for a seed; the run id changes ids only', (t) => {
  const a = take(3000);
  const b = take(3000);
  t.same(a, b, 'same seed and run id: identical events');
  const other = take(3000, { runId: 'other' });
  const withoutIds = (e: ClickstreamEvent) => JSON.stringify(e).replace(/"[esro]-(test|other)-\d+"/g, '"ID"');
  t.same(other.map(withoutIds), a.map(withoutIds), 'another run id: the same behaviour');
  t.not(other[0]?.event_id, a[0]?.event_id, 'but new ids');
  const reseeded = new ShopTraffic(catalog, shoppers, { seed: 43, runId: 'test', concurrentSessions: 300 });
  t.notSame(
    Array.from({ length: 50 }, () => reseeded.next()),
    a.slice(0, 50),
    'another seed: other traffic',
  );
  t.end();
});

t.test('the funnel narrows: views > carts > purchases, at plausible rates', (t) => {
  const views = byType('view').length;
  const carts = byType('add_to_cart').length;
  const removals = byType('remove_from_cart').length;
  const purchases = byType('purchase').length;
  const sessions = new Set(events.map((e) => e.session_id)).size;
  t.ok(
    views > carts && carts > purchases && purchases > 0,
    `${views} views, ${carts} carts, ${purchases} purchases`,
  );
  t.ok(carts / views > 0.03 && carts / views < 0.25, `cart rate ${carts / views}`);
  t.ok(removals < carts / 3, 'a minority of carted items is removed');
  t.ok(purchases / sessions > 0.01 && purchases / sessions < 0.3, `conversion ${purchases / sessions}`);
  t.ok(views / sessions > 1.5 && views / sessions < 12, `views per session ${views / sessions}`);
  t.ok(
    byType('search').every((e) => e.type === 'search' && e.query.length > 0 && e.results_count !== undefined),
  );
  t.end();
});

t.test('sessions mix logged-in and anonymous shoppers; users have persistent ids', (t) => {
  const loggedIn = events.filter((e) => e.user_id !== undefined).length / events.length;
  t.ok(loggedIn > 0.2 && loggedIn < 0.8, `logged-in share ${loggedIn}`);
  t.ok(
    events.every((e) => (e.user_id === undefined) !== (e.anonymous_id === undefined)),
    'exactly one identity per event',
  );
  const identityPerSession = new Map<string, string>();
  for (const e of events) {
    const who = e.user_id ?? e.anonymous_id ?? '';
    const seen = identityPerSession.get(e.session_id ?? '');
    if (seen === undefined) identityPerSession.set(e.session_id ?? '', who);
    else if (seen !== who) t.fail(`session ${e.session_id} changes identity`);
  }
  const userSessions = new Map<string, Set<string>>();
  for (const e of events) {
    if (e.user_id !== undefined)
      userSessions.set(e.user_id, (userSessions.get(e.user_id) ?? new Set()).add(e.session_id ?? ''));
  }
  t.ok(
    [...userSessions.values()].some((s) => s.size > 1),
    'some users come back for another session',
  );
  t.end();
});

t.test('clicks and views reference the impression they came from', (t) => {
  const impressions = new Map<string, { items: readonly string[]; session: string | undefined }>();
  const wrong: string[] = [];
  let checked = 0;
  for (const e of events) {
    if (e.type === 'impression')
      impressions.set(e.request_id ?? '', { items: e.item_ids, session: e.session_id });
    if (e.type === 'click') {
      const shown = impressions.get(e.request_id ?? '');
      checked += 1;
      if (shown?.items[e.position ?? -1] !== e.item_id || shown.session !== e.session_id)
        wrong.push(e.event_id);
    }
  }
  t.ok(checked > 100, `${checked} clicks`);
  t.same(
    wrong,
    [],
    'each click follows its impression in the same session, at the position of the clicked item',
  );
  const attributedViews = byType('view').filter((e) => e.request_id !== undefined);
  t.ok(attributedViews.length > 0 && attributedViews.every((v) => impressions.has(v.request_id ?? '')));
  t.end();
});

t.test('carts and purchases carry prices; purchases buy what was carted', (t) => {
  const carted = new Map<string, Set<string>>();
  const wrong: string[] = [];
  for (const e of events) {
    if (e.type === 'add_to_cart') {
      if (!(e.price > 0 && e.quantity >= 1 && e.currency === 'USD')) wrong.push(e.event_id);
      carted.set(e.session_id ?? '', (carted.get(e.session_id ?? '') ?? new Set()).add(e.item_id));
    }
    if (e.type === 'purchase') {
      const inCart = carted.get(e.session_id ?? '') ?? new Set();
      if (!/^o-test-\d+$/.test(e.order_id) || !e.items.every((line) => inCart.has(line.item_id)))
        wrong.push(e.event_id);
    }
  }
  t.same(
    wrong,
    [],
    'carts have a price and quantity; purchases buy only items carted earlier in the session',
  );
  t.end();
});

t.test('a shopper is in one session at a time, so their events stay ordered', (t) => {
  const open = new Map<string, string>();
  const finished = new Set<string>();
  const late: string[] = [];
  for (const e of events) {
    const who = e.user_id ?? e.anonymous_id ?? '';
    const session = e.session_id ?? '';
    if (finished.has(session)) late.push(e.event_id);
    const current = open.get(who);
    if (current !== undefined && current !== session) finished.add(current);
    open.set(who, session);
  }
  t.same(late, [], 'no event of a session after its shopper started another');
  t.end();
});

t.test('a trending item gets a visible burst of interest', (t) => {
  const trends: SimItem[] = [];
  const traffic = new ShopTraffic(catalog, shoppers, {
    seed: 42,
    runId: 'trend',
    concurrentSessions: 300,
    trendEveryEvents: 10_000,
    onTrend: (item) => trends.push(item),
  });
  const stream = Array.from({ length: 20_000 }, () => traffic.next());
  t.equal(trends.length, 1, 'one trend after the first period');
  const trend = trends[0] as SimItem;
  const viewsOf = (slice: ClickstreamEvent[]) =>
    slice.filter((e) => e.type === 'view' && e.item_id === trend.item.item_id).length;
  const before = viewsOf(stream.slice(0, 10_000));
  const during = viewsOf(stream.slice(10_000));
  t.ok(during > 10 * Math.max(before, 5), `views of the trending item: ${before} before, ${during} during`);
  t.end();
});
