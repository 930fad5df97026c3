import t from 'tap';
import { ERROR_CODES, TransientError } from '@recstream/errors';
import { EVENT_WEIGHTS, logContribution, type ItemMeta } from '@recstream/features';
import type { KafkaMessage } from '@recstream/kafka';
import type { EnrichedEvent } from '@recstream/schemas';
import type { ItemMetaWriter } from '../writers/item-meta.writer.js';
import type { PopularityUpdate, PopularityWriter } from '../writers/popularity.writer.js';
import { createFeatureHandler, popularityUpdate } from './feature.handler.js';

const itemsTopic = 'test_rec.items.v1';
const eventsTopic = 'test_rec.events.v1';
const eventTime = '2026-05-01T12:00:00.000Z';
const eventTimeMs = Date.parse(eventTime);

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

/** In-memory stand-ins for the Redis writers: they keep the resulting state, or fail as told. */
function fakeWriters(failure?: Error) {
  const applied: PopularityUpdate[] = [];
  const meta = new Map<string, ItemMeta>();
  const calls: string[] = [];
  const popularity: PopularityWriter = {
    apply(partition, updates) {
      calls.push(`apply:${partition}:${updates.length}`);
      if (failure !== undefined) return Promise.reject(failure);
      applied.push(...updates);
      return Promise.resolve(updates.length);
    },
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
  return { popularity, itemMeta, applied, meta, calls };
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

t.test('popularityUpdate per event type', (t) => {
  const single = (weight: number) => ({
    eventId: 'e1',
    offset: '7',
    contributions: [{ itemId: 'sku-1', logContribution: logContribution(weight, eventTimeMs) }],
  });
  t.same(popularityUpdate(EVENTS.view, '7'), single(EVENT_WEIGHTS.view), 'view: its item, weight 1');
  t.same(popularityUpdate(EVENTS.click, '7'), single(EVENT_WEIGHTS.click), 'click: its item, weight 1');
  t.same(
    popularityUpdate(EVENTS.add_to_cart, '7'),
    single(EVENT_WEIGHTS.add_to_cart),
    'add_to_cart: weight 3',
  );
  t.same(
    popularityUpdate(EVENTS.purchase, '7'),
    {
      eventId: 'e1',
      offset: '7',
      contributions: [
        { itemId: 'sku-1', logContribution: logContribution(EVENT_WEIGHTS.purchase, eventTimeMs) },
        { itemId: 'sku-2', logContribution: logContribution(EVENT_WEIGHTS.purchase, eventTimeMs) },
      ],
    },
    'purchase: every line item, each item once',
  );
  t.equal(
    popularityUpdate(EVENTS.remove_from_cart, '7'),
    undefined,
    'remove_from_cart says nothing about interest',
  );
  t.equal(popularityUpdate(EVENTS.search, '7'), undefined, 'search has no item');
  t.equal(popularityUpdate(EVENTS.impression, '7'), undefined, 'being shown is not interest');
  const later = popularityUpdate({ ...EVENTS.view, event_time: '2026-05-02T12:00:00.000Z' }, '7');
  const earlier = popularityUpdate(EVENTS.view, '7');
  t.ok(
    (later?.contributions[0]?.logContribution ?? 0) > (earlier?.contributions[0]?.logContribution ?? 0),
    'the later event contributes more (uses event_time)',
  );
  t.end();
});

t.test('events: ok for signals, drop for the rest, dlq for what cannot be read', async (t) => {
  const writers = fakeWriters();
  const handler = createFeatureHandler({ itemsTopic, ...writers });
  const batch = [
    EVENTS.view,
    EVENTS.search,
    EVENTS.impression,
    EVENTS.remove_from_cart,
    { ...EVENTS.purchase, event_id: 'e5' },
  ].map((e) => message(JSON.stringify(e)));
  batch.push(
    message('{oops'),
    message(JSON.stringify({ type: 'view', item_id: 'x', event_time: eventTime })),
    message(JSON.stringify({ ...EVENTS.view, event_time: 'soon' })),
  );
  const results = await handler(batch, { topic: eventsTopic, partition: 0 });
  t.match(results, [
    { kind: 'ok' },
    { kind: 'drop', reason: 'no popularity signal in search' },
    { kind: 'drop', reason: 'no popularity signal in impression' },
    { kind: 'drop', reason: 'no popularity signal in remove_from_cart' },
    { kind: 'ok' },
    { kind: 'dlq', step: 'feature', code: ERROR_CODES.invalidInput, reason: /undecodable event/ },
    { kind: 'dlq', code: ERROR_CODES.invalidInput, reason: /event_id or event_time missing/ },
    { kind: 'dlq', code: ERROR_CODES.invalidInput, reason: /event_id or event_time missing/ },
  ]);
  t.equal(results.length, batch.length, 'one result per message');
  t.same(writers.calls, [`apply:${eventsTopic}/0:2`], 'one call for the batch, naming its partition');
  t.same(
    writers.applied.map((u) => [u.eventId, u.contributions.map((c) => c.itemId)]),
    [
      ['e1', ['sku-1']],
      ['e5', ['sku-1', 'sku-2']],
    ],
  );
});

t.test('a Redis failure makes every message of the batch a retry', async (t) => {
  const failure = new TransientError(ERROR_CODES.unavailable, 'redis ECONNREFUSED');
  const handler = createFeatureHandler({ itemsTopic, ...fakeWriters(failure) });
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
  const writers = fakeWriters();
  writers.meta.set('sku-old', {
    itemId: 'sku-old',
    title: 'Old',
    category: '',
    brand: '',
    price: 1,
    currency: 'EUR',
    availability: 'in_stock',
  });
  const handler = createFeatureHandler({ itemsTopic, ...writers });
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
  t.same(writers.applied, [], 'items do not touch popularity');
});

t.test('items topic: the last message for an item wins, as in the compacted topic', async (t) => {
  const writers = fakeWriters();
  const handler = createFeatureHandler({ itemsTopic, ...writers });
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
