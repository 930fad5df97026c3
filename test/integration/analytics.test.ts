/**
 * The analyst layer (migrations 0005 onward, docs/analytics.md) against the real local ClickHouse.
 *
 * A fresh test database gets every migration, then a small data set whose every number is worked
 * out by hand below: three sessions (one crossing midnight, one whose shopper logs in half-way),
 * purchases with several lines, an item that changed category, a deleted item, items the catalog
 * does not know, searches spelled differently, impressions with clicks, failed events. Each view
 * must give exactly the expected rows. Then:
 * - every ```sql block of docs/analytics.md runs (with readonly = 1, as the analyst account does),
 *   in the test database as the session's database, and several are checked against the data;
 * - a database that held the same events BEFORE the analytics migrations gets identical views
 *   (the migrations backfill);
 * - the read-only `analyst` user (infra/lib/clickhouse.sh) can SELECT and is refused writes, DDL
 *   and other databases with ClickHouse's own errors.
 *
 * The dates are relative to "yesterday" in UTC on the server, so the docs' "yesterday" and
 * "last 7 days" queries see the data.
 */
import t, { type Test } from 'tap';
import { copyFile, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClickHouse, ident, runMigrations, sql, type ClickHouse } from '@recstream/clickhouse';
import { CLICKHOUSE_MIGRATIONS_DIR } from '@recstream/schemas';
import {
  createTestDatabase,
  dropTestDatabase,
  infra,
  testLogger,
  testNamespace,
  type TestNamespace,
} from '@recstream/testing';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ANALYTICS_DOC = path.join(REPO_ROOT, 'docs', 'analytics.md');
/** The first analytics migration; the ones before it define the raw tables. */
const FIRST_ANALYTICS_MIGRATION = 5;

const analyst = {
  username: process.env['REC_CLICKHOUSE_ANALYST_USER'] ?? 'analyst',
  password: process.env['REC_CLICKHOUSE_ANALYST_PASSWORD'] ?? 'analyst',
  /** The one database the account may read (infra/lib/clickhouse.sh). */
  database: process.env['REC_CLICKHOUSE_DATABASE'] ?? 'recstream',
};

/** The analyst-facing views and the columns that make a row unique (their grain). */
const VIEWS = {
  sessions: ['session_id'],
  daily_item_stats: ['event_date', 'item_id'],
  category_funnel: ['event_date', 'category'],
  search_queries: ['event_date', 'query'],
  impression_clicks: ['request_id'],
  impression_clicks_daily: ['event_date', 'list'],
} as const;
type ViewName = keyof typeof VIEWS;
const VIEW_NAMES = Object.keys(VIEWS) as ViewName[];
const STORAGE_TABLES = ['sessions_agg', 'daily_item_stats_agg', 'search_queries_agg'];

type Row = Record<string, unknown>;

// The data set -------------------------------------------------------------------------------------

interface EventSpec {
  id: string;
  type: 'view' | 'click' | 'add_to_cart' | 'remove_from_cart' | 'purchase' | 'search' | 'impression';
  /** `hh:mm:ss` on day `day` (default: yesterday). */
  at: string;
  day?: 'yesterday' | 'before';
  session?: string;
  user?: string;
  anon?: string;
  item?: string;
  price?: number;
  quantity?: number;
  lines?: [item: string, price: number, quantity: number][];
  items?: string[];
  query?: string;
  results?: number;
  request?: string;
  list?: string;
  position?: number;
}

/**
 * Session s1 (anonymous a1, logs in as u1 at the add-to-cart), s2 (anonymous a2, from 23:59 the day
 * before to 00:04), s3 (user u2); e22 has no session. Request r1 is rendered twice (e13, e13b).
 */
// prettier-ignore
const EVENTS: EventSpec[] = [
  { id: 'e13', type: 'impression', at: '09:59:00', session: 's1', anon: 'a1', request: 'r1', list: 'home', items: ['i1', 'i2', 'i3', 'i4'] },
  { id: 'e14', type: 'click', at: '09:59:20', session: 's1', anon: 'a1', request: 'r1', item: 'i2', position: 1 },
  { id: 'e13b', type: 'impression', at: '09:59:40', session: 's1', anon: 'a1', request: 'r1', list: 'home', items: ['i9'] },
  { id: 'e15', type: 'click', at: '09:59:50', session: 's1', anon: 'a1', request: 'r1', item: 'i4', position: 3 },
  { id: 'e01', type: 'view', at: '10:00:00', session: 's1', anon: 'a1', item: 'i1', price: 10 },
  { id: 'e06', type: 'search', at: '10:00:10', session: 's1', anon: 'a1', query: '  Red   SHOES ', results: 0 },
  { id: 'e02', type: 'view', at: '10:00:30', session: 's1', anon: 'a1', item: 'i1' },
  { id: 'e03', type: 'view', at: '10:01:00', session: 's1', anon: 'a1', item: 'i2' },
  { id: 'e04', type: 'add_to_cart', at: '10:02:00', session: 's1', user: 'u1', anon: 'a1', item: 'i1', price: 10, quantity: 2 },
  { id: 'e21', type: 'remove_from_cart', at: '10:03:00', session: 's1', user: 'u1', anon: 'a1', item: 'i1', quantity: 1 },
  { id: 'e05', type: 'purchase', at: '10:05:00', session: 's1', user: 'u1', anon: 'a1', lines: [['i1', 10, 2], ['i2', 2.5, 4]] },
  { id: 'e07', type: 'view', at: '23:59:00', day: 'before', session: 's2', anon: 'a2', item: 'i3' },
  { id: 'e08', type: 'view', at: '00:01:00', session: 's2', anon: 'a2', item: 'i5' },
  { id: 'e09', type: 'search', at: '00:01:30', session: 's2', anon: 'a2', query: 'red shoes', results: 3 },
  { id: 'e10', type: 'search', at: '00:02:00', session: 's2', anon: 'a2', query: 'hats' },
  { id: 'e11', type: 'add_to_cart', at: '00:03:00', session: 's2', anon: 'a2', item: 'i5', price: 7, quantity: 1 },
  { id: 'e12', type: 'purchase', at: '00:04:00', session: 's2', anon: 'a2', lines: [['i5', 7, 1], ['i1', 10, 1]] },
  { id: 'e16', type: 'impression', at: '11:00:00', session: 's3', user: 'u2', request: 'r2', list: 'home', items: ['i1', 'i5'] },
  { id: 'e17', type: 'impression', at: '11:00:00', session: 's3', user: 'u2', request: 'r3', list: 'pdp', items: ['i2'] },
  { id: 'e18', type: 'click', at: '11:00:05', session: 's3', user: 'u2', request: 'r3', item: 'i2' },
  { id: 'e19', type: 'click', at: '11:00:08', session: 's3', user: 'u2', request: 'r3', item: 'i2' },
  { id: 'e20', type: 'click', at: '11:01:00', session: 's3', user: 'u2', request: 'r404', item: 'i9' },
  { id: 'e23', type: 'search', at: '11:02:00', session: 's3', user: 'u2', query: '  HATS', results: 0 },
  { id: 'e22', type: 'view', at: '12:00:00', user: 'u3', item: 'i1' },
];

/** i2 moves from shoes to boots, i3 is deleted; i5 and i9 are not in the catalog. */
const ITEM_VERSIONS = [
  [
    { item_id: 'i1', title: 'Runner', category: 'shoes', version: 1 },
    { item_id: 'i2', title: 'Boot', category: 'shoes', version: 1 },
    { item_id: 'i3', title: 'Cap', category: 'hats', version: 1 },
    { item_id: 'i4', title: 'Mystery', category: '', version: 1 },
  ],
  [
    { item_id: 'i2', title: 'Boot', category: 'boots', version: 2 },
    { item_id: 'i3', title: 'Cap', category: 'hats', version: 2, is_deleted: 1 },
  ],
];

interface Days {
  /** Yesterday in UTC, by the server's clock: `YYYY-MM-DD`. */
  readonly yesterday: string;
  readonly before: string;
}

function eventRow(e: EventSpec, days: Days) {
  const date = days[e.day ?? 'yesterday'];
  const lines = e.lines ?? [];
  return {
    event_id: e.id,
    type: e.type,
    user_id: e.user ?? '',
    anonymous_id: e.anon ?? '',
    session_id: e.session ?? '',
    item_id: e.item ?? '',
    item_ids: e.items ?? lines.map(([item]) => item),
    item_prices: lines.map(([, price]) => price),
    item_quantities: lines.map(([, , quantity]) => quantity),
    order_id: e.type === 'purchase' ? `order-${e.id}` : '',
    price: e.price ?? 0,
    quantity: e.quantity ?? 0,
    currency: e.price === undefined && lines.length === 0 ? '' : 'EUR',
    revenue: lines.reduce((sum, [, price, quantity]) => sum + price * quantity, 0),
    query: e.query ?? '',
    results_count: e.results ?? -1,
    position: e.position ?? -1,
    list: e.list ?? '',
    request_id: e.request ?? '',
    properties: '{}',
    source: 'test',
    event_time: `${date} ${e.at}`,
    received_at: `${date} ${e.at}`,
    event_date: date,
  };
}

function itemRow(item: (typeof ITEM_VERSIONS)[number][number], days: Days) {
  return {
    item_id: item.item_id,
    title: item.title,
    category_path: item.category === '' ? [] : [item.category],
    category: item.category,
    price: 10,
    currency: 'EUR',
    availability: 'in_stock',
    attributes: '{}',
    created_at: `${days.before} 00:00:00`,
    updated_at: `${days.before} 00:00:0${item.version}`,
    version: item.version,
    is_deleted: 'is_deleted' in item ? item.is_deleted : 0,
  };
}

function failedRows(days: Days) {
  const row = (at: string, step: string, reason: string, code: string, payload: string) => ({
    failed_at: `${days.yesterday} ${at}`,
    source: 'test',
    step,
    reason,
    error_code: code,
    event_id: '',
    payload,
    failed_date: days.yesterday,
  });
  return [
    row('10:00:00', 'validate', 'item_id: required', 'REC_ERR_VALIDATION', '{"type":"view"}'),
    row('10:05:00', 'validate', 'item_id: required', 'REC_ERR_VALIDATION', '{"type":"click"}'),
    row('11:00:00', 'decode', 'not JSON', 'REC_ERR_DECODE', 'view i1'),
  ];
}

/** Inserts the data set in several batches, so the aggregates hold several parts to combine. */
async function insertDataSet(clickhouse: ClickHouse, days: Days): Promise<void> {
  for (const version of ITEM_VERSIONS)
    await clickhouse.insert(
      'items',
      version.map((i) => itemRow(i, days)),
    );
  const rows = EVENTS.map((e) => eventRow(e, days));
  const half = Math.ceil(rows.length / 2);
  await clickhouse.insert('events', rows.slice(0, half));
  await clickhouse.insert('events', rows.slice(half));
  await clickhouse.insert('failed_events', failedRows(days));
}

// Expected rows, worked out by hand from the data set ---------------------------------------------

function expectedViews(days: Days): Record<ViewName, Row[]> {
  const y = days.yesterday;
  const b = days.before;
  const session = (row: Row) => ({
    views: 0,
    clicks: 0,
    add_to_carts: 0,
    remove_from_carts: 0,
    purchases: 0,
    searches: 0,
    impressions: 0,
    items_viewed: 0,
    purchased_units: 0,
    revenue: 0,
    ...row,
  });
  const item = (row: Row) => ({
    views: 0,
    clicks: 0,
    add_to_carts: 0,
    orders: 0,
    purchases: 0,
    revenue: 0,
    impressions: 0,
    ...row,
  });
  const funnel = (row: Row) => ({
    items: 1,
    views: 0,
    add_to_carts: 0,
    orders: 0,
    purchases: 0,
    revenue: 0,
    view_to_cart_rate: 0,
    cart_to_order_rate: 0,
    view_to_order_rate: 0,
    ...row,
  });
  // prettier-ignore
  return {
    sessions: [
      // s1 counts both impressions of r1; its shopper logged in at e04.
      session({
        session_id: 's1', user_id: 'u1', anonymous_id: 'a1', start_date: y,
        started_at: `${y} 09:59:00`, ended_at: `${y} 10:05:00`, duration_s: 360, events: 11,
        views: 3, clicks: 2, add_to_carts: 1, remove_from_carts: 1, purchases: 1, searches: 1,
        impressions: 2, items_viewed: 2, purchased_units: 6, revenue: 30,
      }),
      // s2 crosses midnight: one row, from the day before.
      session({
        session_id: 's2', user_id: '', anonymous_id: 'a2', start_date: b,
        started_at: `${b} 23:59:00`, ended_at: `${y} 00:04:00`, duration_s: 300, events: 6,
        views: 2, add_to_carts: 1, purchases: 1, searches: 2, items_viewed: 2, purchased_units: 2, revenue: 17,
      }),
      session({
        session_id: 's3', user_id: 'u2', anonymous_id: '', start_date: y,
        started_at: `${y} 11:00:00`, ended_at: `${y} 11:02:00`, duration_s: 120, events: 6,
        clicks: 3, searches: 1, impressions: 2,
      }),
    ],
    daily_item_stats: [
      item({ event_date: b, item_id: 'i3', views: 1 }),
      item({ event_date: y, item_id: 'i1', views: 3, add_to_carts: 1, orders: 2, purchases: 3, revenue: 30, impressions: 2 }),
      item({ event_date: y, item_id: 'i2', views: 1, clicks: 3, orders: 1, purchases: 4, revenue: 10, impressions: 2 }),
      item({ event_date: y, item_id: 'i3', impressions: 1 }),
      item({ event_date: y, item_id: 'i4', clicks: 1, impressions: 1 }),
      item({ event_date: y, item_id: 'i5', views: 1, add_to_carts: 1, orders: 1, purchases: 1, revenue: 7, impressions: 1 }),
      item({ event_date: y, item_id: 'i9', clicks: 1, impressions: 1 }),
    ],
    category_funnel: [
      // i3, deleted from the catalog.
      funnel({ event_date: b, category: '(unknown)', views: 1 }),
      // i4 has no category.
      funnel({ event_date: y, category: '' }),
      // i3 (deleted), i5 and i9 (never in the catalog).
      funnel({ event_date: y, category: '(unknown)', items: 3, views: 1, add_to_carts: 1, orders: 1, purchases: 1, revenue: 7, view_to_cart_rate: 1, cart_to_order_rate: 1, view_to_order_rate: 1 }),
      // i2 moved from shoes to boots: all of it counts under boots.
      funnel({ event_date: y, category: 'boots', views: 1, orders: 1, purchases: 4, revenue: 10, view_to_order_rate: 1 }),
      funnel({ event_date: y, category: 'shoes', views: 3, add_to_carts: 1, orders: 2, purchases: 3, revenue: 30, view_to_cart_rate: 1 / 3, cart_to_order_rate: 2, view_to_order_rate: 2 / 3 }),
    ],
    search_queries: [
      // e10 sent no results_count: a search, but not part of the rate.
      { event_date: y, query: 'hats', searches: 2, counted_searches: 1, zero_result_searches: 1, zero_result_rate: 1 },
      { event_date: y, query: 'red shoes', searches: 2, counted_searches: 2, zero_result_searches: 1, zero_result_rate: 0.5 },
    ],
    impression_clicks: [
      // r1's second rendering (e13b) does not replace what was shown first.
      {
        request_id: 'r1', event_date: y, list: 'home', user_id: '', anonymous_id: 'a1', session_id: 's1',
        impression_at: `${y} 09:59:00`, shown_item_ids: ['i1', 'i2', 'i3', 'i4'], items_shown: 4, clicks: 2,
        clicked_shown_item_ids: ['i2', 'i4'], clicked_positions: [2, 4], items_clicked: 2, ctr: 0.5,
        first_click_position: 2, seconds_to_first_click: 20,
      },
      {
        request_id: 'r2', event_date: y, list: 'home', user_id: 'u2', anonymous_id: '', session_id: 's3',
        impression_at: `${y} 11:00:00`, shown_item_ids: ['i1', 'i5'], items_shown: 2, clicks: 0,
        clicked_shown_item_ids: [], clicked_positions: [], items_clicked: 0, ctr: 0,
        first_click_position: 0, seconds_to_first_click: -1,
      },
      {
        request_id: 'r3', event_date: y, list: 'pdp', user_id: 'u2', anonymous_id: '', session_id: 's3',
        impression_at: `${y} 11:00:00`, shown_item_ids: ['i2'], items_shown: 1, clicks: 2,
        clicked_shown_item_ids: ['i2'], clicked_positions: [1], items_clicked: 1, ctr: 1,
        first_click_position: 1, seconds_to_first_click: 5,
      },
    ],
    impression_clicks_daily: [
      { event_date: y, list: 'home', requests: 2, requests_clicked: 1, items_shown: 6, items_clicked: 2, clicks: 2, ctr: 1 / 3, request_ctr: 0.5 },
      { event_date: y, list: 'pdp', requests: 1, requests_clicked: 1, items_shown: 1, items_clicked: 1, clicks: 2, ctr: 1, request_ctr: 1 },
    ],
  };
}

/** Checks on the results of some docs examples, by the title comment on their first line. */
function expectedDocResults(days: Days): Record<string, (rows: Row[], t: Test) => void> {
  const y = days.yesterday;
  const columns = (rows: Row[], ...names: string[]) => rows.map((row) => names.map((name) => row[name]));
  // prettier-ignore
  return {
    'Top items yesterday, by revenue': (rows, t) =>
      t.same(columns(rows, 'item_id', 'title', 'revenue'), [
        ['i1', 'Runner', 30], ['i2', 'Boot', 10], ['i5', '', 7], ['i3', '', 0], ['i4', 'Mystery', 0], ['i9', '', 0],
      ]),
    'Conversion funnel per category, yesterday': (rows, t) =>
      t.same(columns(rows, 'category', 'views', 'orders', 'view_to_cart'), [
        ['shoes', 3, 2, 0.333], ['(unknown)', 1, 1, 1], ['boots', 1, 1, 0], ['', 0, 0, 0],
      ]),
    'Conversion funnel per category, last 7 days': (rows, t) =>
      t.same(columns(rows, 'category', 'total_views', 'view_to_order'), [
        ['shoes', 3, 0.667], ['(unknown)', 2, 0.5], ['boots', 1, 1], ['', 0, 0],
      ]),
    'Zero-result searches, last 7 days': (rows, t) =>
      t.same(rows, [
        { query: 'hats', total_searches: 2, zero_results: 1 },
        { query: 'red shoes', total_searches: 2, zero_results: 1 },
      ]),
    'Zero-result rate per day': (rows, t) =>
      t.same(rows, [{ event_date: y, total_searches: 4, zero_result_rate: 0.667 }]),
    'Session length distribution, sessions started in the last 7 days': (rows, t) =>
      t.same(rows, [
        { session_length: '1-5 min', sessions: 1, avg_events: 6 },
        { session_length: '5-30 min', sessions: 2, avg_events: 8.5 },
      ]),
    'Session duration percentiles, seconds': (rows, t) =>
      t.same(rows, [{ p50_p90_p99: [300, 360, 360], sessions: 3 }]),
    'Revenue per session for logged-in and anonymous shoppers': (rows, t) =>
      t.same(rows, [
        { shopper: 'anonymous', sessions: 1, converting_sessions: 1, revenue_per_session: 17 },
        { shopper: 'logged in', sessions: 2, converting_sessions: 1, revenue_per_session: 15 },
      ]),
    'CTR of recommendations per day and list': (rows, t) =>
      t.same(columns(rows, 'event_date', 'list', 'ctr', 'request_ctr'), [
        [y, 'home', 0.3333, 0.5], [y, 'pdp', 1, 1],
      ]),
    'Recent recommendations that were clicked: where and how fast': (rows, t) =>
      t.same(columns(rows, 'request_id', 'clicked_positions', 'seconds_to_first_click'), [
        ['r3', [1], 5], ['r1', [2, 4], 20],
      ]),
    'Failed events by reason, last 7 days': (rows, t) =>
      t.same(columns(rows, 'step', 'reason', 'error_code', 'failed'), [
        ['validate', 'item_id: required', 'REC_ERR_VALIDATION', 2], ['decode', 'not JSON', 'REC_ERR_DECODE', 1],
      ]),
    'The latest failed events, with what was sent': (rows, t) =>
      t.same(columns(rows, 'payload'), [['view i1'], ['{"type":"click"}'], ['{"type":"view"}']]),
  };
}

// Helpers -----------------------------------------------------------------------------------------

/**
 * Rows with 64-bit integers as numbers: ClickHouse quotes them in JSON (they may exceed 2^53; none
 * here do). Ids are left alone, whatever they look like.
 */
async function queryRows(
  clickhouse: ClickHouse,
  query: string,
  settings?: Record<string, number>,
): Promise<Row[]> {
  const rows = await clickhouse.query<Row>(query, settings);
  const int64 = /^-?\d+$/;
  return rows.map((row) =>
    Object.fromEntries(
      Object.entries(row).map(([key, value]) => [
        key,
        typeof value === 'string' && int64.test(value) && !key.endsWith('_id') ? Number(value) : value,
      ]),
    ),
  );
}

function viewQuery(view: ViewName): string {
  return (
    sql`SELECT * FROM ${ident(view)} ORDER BY ${ident(VIEWS[view][0])}` +
    (VIEWS[view][1] === undefined ? '' : sql`, ${ident(VIEWS[view][1])}`)
  );
}

/** The ```sql blocks of the docs, each with the title comment on its first line. */
async function docQueries(): Promise<{ title: string; query: string }[]> {
  const text = await readFile(ANALYTICS_DOC, 'utf8');
  return [...text.matchAll(/^```sql\n([\s\S]*?)^```$/gm)].map((match, index) => {
    const query = (match[1] ?? '').trim();
    const title = /^--\s*(.+)$/m.exec(query.split('\n')[0] ?? '')?.[1]?.trim() ?? `block ${index + 1}`;
    return { title, query: query.replace(/;\s*$/, '') };
  });
}

function serverClient(): ClickHouse {
  return createClickHouse({
    url: infra.clickhouseUrl,
    username: infra.clickhouseUser,
    password: infra.clickhousePassword,
    database: null,
  });
}

/** Applies the migrations in `dir` to the database `inDatabase` points at. */
async function applyMigrations(inDatabase: ClickHouse, database: string, dir: string) {
  const server = serverClient();
  try {
    return await runMigrations({ server, inDatabase, database, dir, logger: testLogger() });
  } finally {
    await server.close();
  }
}

/** Creates the namespace's database with only the migrations before the analytics ones. */
async function createRawDatabase(ns: TestNamespace): Promise<ClickHouse> {
  const dir = await mkdtemp(path.join(tmpdir(), 'recstream-raw-migrations-'));
  const inDatabase = createClickHouse({
    url: infra.clickhouseUrl,
    username: infra.clickhouseUser,
    password: infra.clickhousePassword,
    database: ns.database,
  });
  try {
    for (const file of await readdir(CLICKHOUSE_MIGRATIONS_DIR)) {
      const version = Number(/^(\d{4})_/.exec(file)?.[1]);
      if (version < FIRST_ANALYTICS_MIGRATION) {
        await copyFile(path.join(CLICKHOUSE_MIGRATIONS_DIR, file), path.join(dir, file));
      }
    }
    await applyMigrations(inDatabase, ns.database, dir);
    return inDatabase;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// The tests ---------------------------------------------------------------------------------------

const ns = testNamespace('analytics');

t.test('analytics tables and views on the real server', async (t) => {
  const clickhouse = await createTestDatabase(ns);
  t.teardown(async () => {
    await clickhouse.close();
    await dropTestDatabase(ns);
  });
  const [days] = await clickhouse.query<Days>(
    "SELECT toString(toDate(now(), 'UTC') - 1) AS yesterday, toString(toDate(now(), 'UTC') - 2) AS before",
  );
  if (days === undefined) throw new Error('the server returned no date');
  await insertDataSet(clickhouse, days);
  const expected = expectedViews(days);

  for (const view of VIEW_NAMES) {
    t.test(`${view} gives the hand-computed rows`, async (t) => {
      t.same(await queryRows(clickhouse, viewQuery(view)), expected[view]);
    });
  }

  t.test('every column of every view can be selected on its own', async (t) => {
    // 18.16 prunes a view's unused columns; a column that depends on a pruned one would fail here.
    for (const view of VIEW_NAMES) {
      const columns = await clickhouse.query<{ name: string }>(
        sql`SELECT name FROM system.columns WHERE database = ${ns.database} AND table = ${view}`,
      );
      t.ok(columns.length > 0, `${view} has columns`);
      for (const { name } of columns) {
        const rows = await clickhouse.query(sql`SELECT ${ident(name)} FROM ${ident(view)}`);
        t.equal(rows.length, expected[view].length, `${view}.${name}`);
      }
    }
  });

  t.test('every column of the analytics tables and views has a comment', async (t) => {
    const uncommented = await clickhouse.query<{ table: string; name: string }>(
      sql`SELECT table, name FROM system.columns
          WHERE database = ${ns.database} AND has(${[...VIEW_NAMES, ...STORAGE_TABLES]}, table) AND comment = ''`,
    );
    t.same(uncommented, []);
  });

  t.test('the aggregates stay exact after ClickHouse merges them', async (t) => {
    for (const table of STORAGE_TABLES) await clickhouse.command(sql`OPTIMIZE TABLE ${ident(table)} FINAL`);
    for (const view of VIEW_NAMES) {
      t.same(await queryRows(clickhouse, viewQuery(view)), expected[view], view);
    }
  });

  t.test(
    'every sql example in docs/analytics.md runs read-only, and gives the documented results',
    async (t) => {
      const queries = await docQueries();
      const checks = expectedDocResults(days);
      t.ok(queries.length >= Object.keys(checks).length, 'the docs have their examples');
      for (const title of Object.keys(checks)) {
        t.ok(
          queries.some((q) => q.title === title),
          `the docs still have "${title}"`,
        );
      }
      for (const { title, query } of queries) {
        // Unqualified names resolve in the client's database (the test database here, `recstream`
        // for analysts); readonly = 1 refuses what the analyst account would refuse.
        const rows = await queryRows(clickhouse, query, { readonly: 1 });
        const check = checks[title];
        if (check === undefined) {
          t.pass(`"${title}" runs (${rows.length} rows)`);
        } else {
          t.test(title, (t) => {
            check(rows, t);
            t.end();
          });
        }
      }
    },
  );

  t.test('click attribution ignores a click stored twice', async (t) => {
    // The views over `events` count clicks by event_id, so a redelivery that reached the table
    // (the materialized views rely on the sink's dedup instead) does not change them.
    const duplicate = EVENTS.find((e) => e.id === 'e18');
    if (duplicate === undefined) throw new Error('e18 is in the data set');
    await clickhouse.insert('events', [eventRow(duplicate, days)]);
    t.same(await queryRows(clickhouse, viewQuery('impression_clicks')), expected.impression_clicks);
    t.same(
      await queryRows(clickhouse, viewQuery('impression_clicks_daily')),
      expected.impression_clicks_daily,
    );
  });

  t.test('migrations backfill the events stored before them', async (t) => {
    const rawNs = testNamespace('analyticsbackfill');
    const raw = await createRawDatabase(rawNs);
    t.teardown(async () => {
      await raw.close();
      await dropTestDatabase(rawNs);
    });
    await insertDataSet(raw, days);
    // Stored twice before the sink deduplicated: the backfill reads `events FINAL`.
    await raw.insert(
      'events',
      EVENTS.slice(0, 5).map((e) => eventRow(e, days)),
    );
    const report = await applyMigrations(raw, rawNs.database, CLICKHOUSE_MIGRATIONS_DIR);
    t.ok(report.applied.length > 0 && report.applied.every((v) => v >= FIRST_ANALYTICS_MIGRATION));
    for (const view of VIEW_NAMES) {
      t.same(await queryRows(raw, viewQuery(view)), expected[view], view);
    }
  });

  t.test('the read-only analyst account', (t) => analystAccountTests(t));
});

function analystAccountTests(t: Test): void {
  const account = createClickHouse({ url: infra.clickhouseUrl, ...analyst, database: null });
  const admin = serverClient();
  const probe = `${ns.id}_probe`;
  t.teardown(async () => {
    // Only there if the account could create it, which the test below reports as a failure.
    await admin.command(sql`DROP TABLE IF EXISTS ${ident(analyst.database)}.${ident(probe)}`);
    await Promise.all([account.close(), admin.close()]);
  });
  const readonly = /Code: 164\b.*readonly mode/;

  t.test('can SELECT', async (t) => {
    const one = await account.query('SELECT 1 AS one').catch((error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(
        `the analyst account does not work (${reason}); \`bash infra/infra.sh start\` writes it`,
      );
    });
    t.same(one, [{ one: 1 }]);
    const [exists] = await admin.query<{ e: number }>(
      sql`SELECT count() > 0 AS e FROM system.tables WHERE database = ${analyst.database} AND name = 'sessions'`,
    );
    const countSessions = sql`SELECT count() AS n FROM ${ident(analyst.database)}.sessions`;
    if (Number(exists?.e) === 1) {
      const [mine] = await account.query<{ n: string }>(countSessions);
      const [theirs] = await admin.query<{ n: string }>(countSessions);
      t.equal(mine?.n, theirs?.n, `reads ${analyst.database}.sessions`);
    } else {
      // No migrated `recstream` on this machine: the account still reaches it (unknown, not denied).
      await t.rejects(
        account.query(countSessions),
        { message: /Code: (60|81)\b/ },
        `${analyst.database} is not denied`,
      );
    }
  });

  t.test('is refused INSERT, CREATE and DROP', async (t) => {
    const table = sql`${ident(analyst.database)}.${ident(probe)}`;
    await t.rejects(account.command(`INSERT INTO ${table} (id) VALUES (1)`), { message: readonly }, 'INSERT');
    await t.rejects(
      account.command(`CREATE TABLE ${table} (id UInt8) ENGINE = Memory`),
      { message: readonly },
      'CREATE TABLE',
    );
    await t.rejects(account.command(`DROP TABLE IF EXISTS ${table}`), { message: readonly }, 'DROP TABLE');
    await t.rejects(
      account.command(sql`CREATE DATABASE ${ident(probe)}`),
      { message: readonly },
      'CREATE DATABASE',
    );
  });

  t.test('is refused settings and table functions', async (t) => {
    // Lifting a limit of its profile (one thread); 18.16 lets a setting equal to the current one pass.
    await t.rejects(account.query('SELECT 1', { max_threads: 8 }), { message: readonly }, 'a query setting');
    await t.rejects(
      account.query("SELECT * FROM url('http://127.0.0.1:1/', TSV, 'a String')"),
      { message: readonly },
      'url()',
    );
  });

  t.test('cannot read other databases', async (t) => {
    await t.rejects(account.query(sql`SELECT count() FROM ${ident(ns.database)}.events`), {
      message: /Code: 291\b.*Access denied to database/,
    });
  });

  t.test('a wrong password is refused', async (t) => {
    const wrong = createClickHouse({
      url: infra.clickhouseUrl,
      ...analyst,
      password: `${analyst.password}x`,
      database: null,
    });
    t.teardown(() => wrong.close());
    await t.rejects(wrong.query('SELECT 1'), { message: /Code: 193\b/ });
  });
  t.end();
}
