import t from 'tap';
import { ERROR_CODES, TransientError } from '@recstream/errors';
import { toItemMeta, type ItemMeta } from '@recstream/features';
import type { KafkaMessage } from '@recstream/kafka';
import type { CatalogItem, EnrichedEvent } from '@recstream/schemas';
import { compileContext } from '../compile/event-ops.js';
import type { FeatureStore } from '../store/feature-store.js';
import type { CompiledEvent } from '../store/ops.js';
import type { ItemMetaWriter } from '../writers/item-meta.writer.js';
import { createFeatureHandler, type FeatureHandlerDeps } from './feature.handler.js';

const itemsTopic = 'test_rec.items.v1';
const eventsTopic = 'test_rec.events.v1';
const eventTime = '2026-05-01T12:00:00.000Z';

const server = {
  schema_version: 1,
  received_at: eventTime,
  event_time: eventTime,
  source: 'default',
} as const;
const common = { event_id: 'e1', user_id: 'u1', ...server };

const EVENTS: Record<EnrichedEvent['type'], EnrichedEvent> = {
  view: { ...common, type: 'view', item_id: 'sku-1' },
  click: { ...common, type: 'click', item_id: 'sku-1', position: 2 },
  add_to_cart: { ...common, type: 'add_to_cart', item_id: 'sku-1', quantity: 1, price: 5, currency: 'EUR' },
  remove_from_cart: { ...common, type: 'remove_from_cart', item_id: 'sku-1', quantity: 1 },
  purchase: {
    ...common,
    type: 'purchase',
    order_id: 'o1',
    currency: 'EUR',
    items: [
      { item_id: 'sku-1', price: 5, quantity: 1 },
      { item_id: 'sku-2', price: 7, quantity: 3 },
      { item_id: 'sku-1', price: 5, quantity: 2 },
    ],
  },
  search: { ...common, type: 'search', query: 'lipstick' },
  impression: { ...common, type: 'impression', item_ids: ['sku-1', 'sku-2'] },
};

function message(value: string | null, key: string | null = null): KafkaMessage {
  return {
    key: key === null ? null : Buffer.from(key),
    value: value === null ? null : Buffer.from(value),
    timestamp: '0',
    attributes: 0,
    offset: '0',
    headers: {},
  };
}

/** In-memory stand-ins for Redis: they keep what was written, or fail as told. */
function fakeDeps(failure?: Error) {
  const applied: { partition: string; events: CompiledEvent[] }[] = [];
  const meta = new Map<string, ItemMeta>();
  const calls: string[] = [];
  const counted = { late: 0, unknownItems: 0, applied: 0, duplicates: 0, parked: 0 };
  const freshness: number[] = [];
  const store: FeatureStore = {
    apply(partition, events) {
      calls.push(`apply:${partition}:${events.length}`);
      if (failure !== undefined) return Promise.reject(failure);
      applied.push({ partition, events: [...events] });
      return Promise.resolve(events.length);
    },
    refreshCategoryTops: () => Promise.resolve(0),
  };
  const itemMeta: ItemMetaWriter = {
    upsert(items) {
      calls.push(`upsert:${items.map((i) => i.itemId).join(',')}`);
      if (failure !== undefined) return Promise.reject(failure);
      for (const item of items) meta.set(item.itemId, item);
      return Promise.resolve();
    },
    remove(itemIds) {
      calls.push(`remove:${itemIds.join(',')}`);
      if (failure !== undefined) return Promise.reject(failure);
      for (const id of itemIds) meta.delete(id);
      return Promise.resolve();
    },
  };
  const deps: FeatureHandlerDeps = {
    itemsTopic,
    store,
    itemMeta,
    lookupItems: (ids) => Promise.resolve(new Map(ids.map((id) => [id, meta.get(id)]))),
    catalogSize: () => Promise.resolve(meta.size),
    compileContext: (catalog, knownItemsOnly) => compileContext('test', catalog, knownItemsOnly),
    maxLatenessMs: 60 * 60 * 1000,
    counters: {
      late: (n) => void (counted.late += n),
      unknownItems: (n) => void (counted.unknownItems += n),
      applied: (n) => void (counted.applied += n),
      duplicates: (n) => void (counted.duplicates += n),
      parked: (n) => void (counted.parked += n),
      freshness: (seconds) => void freshness.push(seconds),
    },
  };
  return { deps, applied, meta, calls, counted, freshness };
}

const catalogItem = (id: string, title = `Title ${id}`) =>
  JSON.stringify({
    item_id: id,
    title,
    category_path: ['Beauty', 'Lips'],
    brand: 'Acme',
    price: 10,
    currency: 'EUR',
    availability: 'in_stock',
    updated_at: eventTime,
  });

t.test('events: ok when compiled, dropped when late, dlq for what cannot be read', async (t) => {
  const { deps, applied, calls, counted, meta, freshness } = fakeDeps();
  meta.set('sku-1', toItemMeta(JSON.parse(catalogItem('sku-1')) as CatalogItem));
  const handler = createFeatureHandler(deps);
  const lateView = { ...EVENTS.view, event_id: 'late', event_time: '2026-05-01T10:00:00.000Z' };
  const batch = [
    EVENTS.view,
    EVENTS.search,
    EVENTS.impression,
    lateView,
    { ...EVENTS.purchase, event_id: 'e5' },
  ].map((e, i) => ({ ...message(JSON.stringify(e)), offset: String(10 + i) }));
  batch.push(
    message('{oops'),
    message(JSON.stringify({ type: 'view', item_id: 'x', event_time: eventTime })),
    message(JSON.stringify({ ...EVENTS.view, event_time: 'soon' })),
  );
  const results = await handler(batch, { topic: eventsTopic, partition: 3 });
  t.match(results, [
    { kind: 'ok' },
    { kind: 'ok' },
    { kind: 'ok' },
    { kind: 'drop', reason: /late by more than 3600000 ms/ },
    { kind: 'ok' },
    { kind: 'dlq', step: 'feature', code: ERROR_CODES.invalidInput, reason: /undecodable event/ },
    { kind: 'dlq', code: ERROR_CODES.invalidInput, reason: /event_id, event_time or received_at missing/ },
    { kind: 'dlq', code: ERROR_CODES.invalidInput, reason: /event_id, event_time or received_at missing/ },
  ]);
  t.equal(results.length, batch.length, 'one result per message');
  t.same(calls, [`apply:${eventsTopic}/3:4`], 'one store call for the batch, naming its partition');
  t.same(
    applied[0]?.events.map((e) => [e.eventId, e.offset]),
    [
      ['e1', '10'],
      ['e1', '11'],
      ['e1', '12'],
      ['e5', '14'],
    ],
    'each event with its own offset; duplicates of an id are left to the store to judge',
  );
  t.ok(
    applied[0]?.events.every((e) => e.ops.length > 0),
    'every accepted event changes something (at least the global counts)',
  );
  t.same(
    counted,
    { late: 1, unknownItems: 1, applied: 4, duplicates: 0, parked: 3 },
    'sku-2 is not in the catalog',
  );
  t.equal(freshness.length, 4, 'freshness observed for each applied event');
  t.ok(
    freshness.every((seconds) => seconds > 0),
    'measured from the time ingest received it (in the past here)',
  );
});

t.test('a Redis failure makes every message of the batch a retry', async (t) => {
  const failure = new TransientError(ERROR_CODES.unavailable, 'redis ECONNREFUSED');
  const handler = createFeatureHandler(fakeDeps(failure).deps);
  const events = await handler(
    [message(JSON.stringify(EVENTS.view)), message(JSON.stringify(EVENTS.search)), message('{oops')],
    { topic: eventsTopic, partition: 0 },
  );
  t.same(events, [
    { kind: 'retry', error: failure },
    { kind: 'retry', error: failure },
    { kind: 'retry', error: failure },
  ]);
  const items = await handler([message(catalogItem('sku-1'), 'sku-1'), message(null, 'sku-2')], {
    topic: itemsTopic,
    partition: 0,
  });
  t.same(
    items.map((r) => r.kind),
    ['retry', 'retry'],
    'on the items topic too',
  );
});

t.test('items topic: upserts the display fields, deletes on tombstones, dlq for garbage', async (t) => {
  const writers = fakeDeps();
  writers.meta.set('sku-old', {
    itemId: 'sku-old',
    title: 'Old',
    category: '',
    categoryPath: [],
    brand: '',
    price: 1,
    currency: 'EUR',
    availability: 'in_stock',
  });
  const handler = createFeatureHandler(writers.deps);
  const results = await handler(
    [
      message(catalogItem('sku-1'), 'sku-1'),
      message(null, 'sku-old'),
      message('not json', 'sku-3'),
      message(null, null),
    ],
    { topic: itemsTopic, partition: 0 },
  );
  t.match(results, [
    { kind: 'ok' },
    { kind: 'ok' },
    { kind: 'dlq', step: 'feature', code: ERROR_CODES.invalidInput, reason: /undecodable item/ },
    { kind: 'ok' },
  ]);
  t.same(writers.meta.get('sku-1'), {
    itemId: 'sku-1',
    title: 'Title sku-1',
    category: 'Beauty > Lips',
    categoryPath: ['Beauty', 'Lips'],
    brand: 'Acme',
    price: 10,
    currency: 'EUR',
    availability: 'in_stock',
  });
  t.notOk(writers.meta.has('sku-old'), 'the tombstone removed the item');
  t.same(
    writers.calls,
    ['upsert:sku-1', 'remove:sku-old'],
    'one upsert, one removal; a tombstone without key removes nothing',
  );
  t.same(writers.applied, [], 'items do not touch event features');
});

t.test('items topic: the last message for an item wins, as in the compacted topic', async (t) => {
  const writers = fakeDeps();
  const handler = createFeatureHandler(writers.deps);
  await handler(
    [
      message(catalogItem('sku-1', 'v1'), 'sku-1'),
      message(null, 'sku-1'),
      message(catalogItem('sku-1', 'v2'), 'sku-1'),
    ],
    { topic: itemsTopic, partition: 0 },
  );
  t.equal(
    writers.meta.get('sku-1')?.title,
    'v2',
    'deleted then re-created: the item exists with its latest version',
  );

  await handler([message(catalogItem('sku-2', 'v1'), 'sku-2'), message(null, 'sku-2')], {
    topic: itemsTopic,
    partition: 0,
  });
  t.notOk(writers.meta.has('sku-2'), 'created then deleted: gone');

  await handler(
    [message(catalogItem('sku-3', 'v1'), 'sku-3'), message(catalogItem('sku-3', 'v2'), 'sku-3')],
    { topic: itemsTopic, partition: 0 },
  );
  t.equal(writers.meta.get('sku-3')?.title, 'v2', 'two updates: the later one');
});
