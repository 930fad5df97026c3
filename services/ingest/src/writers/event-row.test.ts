import t from 'tap';
import type { EnrichedEvent } from '@recstream/schemas';
import { toEventRow, type EventRow } from './event-row.js';

const server = {
  schema_version: 1,
  received_at: '2026-05-01T12:00:05.250Z',
  event_time: '2026-04-30T23:59:58.900Z',
  source: 'shop-a',
} as const;
const base = { event_id: 'e1', user_id: 'u1', ...server };

/** Text columns an event leaves unset: empty strings, never NULL (ClickHouse 18.16 columns are not Nullable). */
const UNSET_TEXT = [
  'type',
  'anonymous_id',
  'session_id',
  'item_id',
  'order_id',
  'currency',
  'query',
  'list',
  'request_id',
  'page_type',
  'page_url',
  'referrer',
  'page_category',
  'locale',
  'user_agent',
  'browser',
  'browser_version',
  'os',
  'device_type',
  'ip_prefix',
  'client_timestamp',
  'time_correction',
] as const;

/**
 * The row of `base` with its type unset: text empty, no line items, amounts 0, unknown counts,
 * positions and topic positions -1, properties an empty object; times in ClickHouse's format.
 */
const defaults: EventRow = {
  ...(Object.fromEntries(UNSET_TEXT.map((column) => [column, ''])) as Record<
    (typeof UNSET_TEXT)[number],
    ''
  >),
  event_id: 'e1',
  user_id: 'u1',
  item_ids: [],
  item_prices: [],
  item_quantities: [],
  price: 0,
  quantity: 0,
  revenue: 0,
  results_count: -1,
  position: -1,
  properties: '{}',
  source: 'shop-a',
  event_time: '2026-04-30 23:59:58',
  received_at: '2026-05-01 12:00:05',
  event_date: '2026-04-30',
  kafka_partition: -1,
  kafka_offset: '-1',
  event_time_ms: 900,
  received_at_ms: 250,
};

t.test('each event type fills its own columns', (t) => {
  const cases: [EnrichedEvent, Partial<EventRow>][] = [
    [
      { ...base, type: 'view', item_id: 'sku-1', price: 9.5, currency: 'EUR' },
      { type: 'view', item_id: 'sku-1', price: 9.5, currency: 'EUR' },
    ],
    [
      { ...base, type: 'view', item_id: 'sku-1' },
      { type: 'view', item_id: 'sku-1' },
    ],
    [
      { ...base, type: 'click', item_id: 'sku-2', position: 0 },
      { type: 'click', item_id: 'sku-2', position: 0 },
    ],
    [
      { ...base, type: 'click', item_id: 'sku-2' },
      { type: 'click', item_id: 'sku-2', position: -1 },
    ],
    [
      { ...base, type: 'add_to_cart', item_id: 'sku-3', quantity: 2, price: 4.25, currency: 'USD' },
      { type: 'add_to_cart', item_id: 'sku-3', quantity: 2, price: 4.25, currency: 'USD' },
    ],
    [
      { ...base, type: 'remove_from_cart', item_id: 'sku-3', quantity: 1 },
      { type: 'remove_from_cart', item_id: 'sku-3', quantity: 1 },
    ],
    [
      { ...base, type: 'search', query: 'red lipstick', results_count: 0 },
      { type: 'search', query: 'red lipstick', results_count: 0 },
    ],
    [
      { ...base, type: 'search', query: 'x' },
      { type: 'search', query: 'x', results_count: -1 },
    ],
    [
      { ...base, type: 'impression', item_ids: ['a', 'b', 'c'], list: 'home' },
      { type: 'impression', item_ids: ['a', 'b', 'c'], list: 'home' },
    ],
  ];
  for (const [event, columns] of cases) {
    t.same(toEventRow(event), { ...defaults, ...columns }, `${event.type} ${JSON.stringify(columns)}`);
  }
  t.end();
});

t.test('a purchase keeps its line items in order and sums the revenue', (t) => {
  const row = toEventRow({
    ...base,
    type: 'purchase',
    order_id: 'o-1',
    currency: 'EUR',
    items: [
      { item_id: 'a', price: 10.5, quantity: 2 },
      { item_id: 'b', price: 3, quantity: 1 },
      { item_id: 'c', price: 0, quantity: 7 },
    ],
  });
  t.same(row, {
    ...defaults,
    type: 'purchase',
    order_id: 'o-1',
    currency: 'EUR',
    item_ids: ['a', 'b', 'c'],
    item_prices: [10.5, 3, 0],
    item_quantities: [2, 1, 7],
    revenue: 24,
  });
  const cents = toEventRow({
    ...base,
    type: 'purchase',
    order_id: 'o',
    currency: 'EUR',
    items: [
      { item_id: 'a', price: 0.1, quantity: 3 },
      { item_id: 'b', price: 0.2, quantity: 1 },
    ],
  });
  t.ok(Math.abs(cents.revenue - 0.5) < 1e-9, 'price × quantity summed over lines');
  t.equal(cents.quantity, 0, 'the single-item quantity column stays empty');
  t.equal(cents.item_id, '');
  t.end();
});

t.test('common fields, context and properties', (t) => {
  const row = toEventRow({
    ...server,
    type: 'view',
    event_id: 'e9',
    anonymous_id: 'anon-1',
    session_id: 's-1',
    request_id: 'req-1',
    item_id: 'sku-1',
    context: {
      page: {
        type: 'product',
        url: 'https://shop.example/p/1',
        referrer: 'https://search.example',
        category: 'Lips',
      },
      locale: 'de-DE',
      user_agent: 'Mozilla/5.0',
    },
    properties: { campaign: "spring'26", nested: { a: [1, 2] } },
  });
  t.match(row, {
    event_id: 'e9',
    user_id: '',
    anonymous_id: 'anon-1',
    session_id: 's-1',
    request_id: 'req-1',
    page_type: 'product',
    page_url: 'https://shop.example/p/1',
    referrer: 'https://search.example',
    page_category: 'Lips',
    locale: 'de-DE',
    user_agent: 'Mozilla/5.0',
  });
  t.same(
    JSON.parse(row.properties),
    { campaign: "spring'26", nested: { a: [1, 2] } },
    'properties kept as a JSON string',
  );
  t.end();
});

t.test('times are UTC ClickHouse DateTimes; the date is the event time date', (t) => {
  const row = toEventRow({ ...base, type: 'view', item_id: 'a' });
  t.equal(row.event_time, '2026-04-30 23:59:58', 'the corrected event time, not the receive time');
  t.equal(row.received_at, '2026-05-01 12:00:05');
  t.equal(row.event_date, '2026-04-30', 'partitioned by the event date, even when received the next day');
  const precise = toEventRow({
    ...base,
    type: 'view',
    item_id: 'a',
    event_time: '2026-04-30T23:59:58.123Z',
    received_at: '2026-05-01T12:00:05.047Z',
  });
  t.match(
    precise,
    { event_time: '2026-04-30 23:59:58', event_time_ms: 123, received_at_ms: 47 },
    'the milliseconds DateTime drops are kept beside it',
  );
  t.end();
});

t.test('the topic position is recorded when the event came from Kafka', (t) => {
  const row = toEventRow(
    { ...base, type: 'view', item_id: 'a' },
    { partition: 7, offset: '9007199254740993' },
  );
  t.match(row, { kafka_partition: 7, kafka_offset: '9007199254740993' }, 'offsets beyond 2^53 stay exact');
  t.match(toEventRow({ ...base, type: 'view', item_id: 'a' }), { kafka_partition: -1, kafka_offset: '-1' });
  t.end();
});

t.test('collector enrichment lands in its own columns', (t) => {
  const row = toEventRow({
    ...base,
    type: 'view',
    item_id: 'a',
    timestamp: '2031-01-01T00:00:00Z',
    time_correction: 'future_skew',
    device: { browser: 'Safari', browser_version: '17.0', os: 'iOS', device_type: 'mobile' },
    ip_prefix: '203.0.113.0/24',
  });
  t.match(row, {
    client_timestamp: '2031-01-01T00:00:00Z',
    time_correction: 'future_skew',
    browser: 'Safari',
    browser_version: '17.0',
    os: 'iOS',
    device_type: 'mobile',
    ip_prefix: '203.0.113.0/24',
  });
  t.end();
});
