import t from 'tap';
import { EVENT_TYPES, MAX_PROPERTIES_BYTES, type EventType } from './events/event.schema.js';
import { createValidators, type FieldProblem } from './validation.js';

const validators = createValidators();

const common = { event_id: 'evt-1', user_id: 'user-1', timestamp: '2026-05-01T12:00:00Z' };

/** One valid example per event type, with the optional fields filled in where they exist. */
const VALID: Record<EventType, Record<string, unknown>> = {
  view: {
    ...common,
    type: 'view',
    item_id: 'sku-1',
    price: 9.99,
    currency: 'EUR',
    context: { page: { type: 'product', url: 'https://shop.example/p/1' }, locale: 'de-DE' },
  },
  click: { ...common, type: 'click', item_id: 'sku-1', position: 3, request_id: 'req-1' },
  add_to_cart: { ...common, type: 'add_to_cart', item_id: 'sku-1', quantity: 2, price: 10, currency: 'USD' },
  remove_from_cart: { ...common, type: 'remove_from_cart', item_id: 'sku-1', quantity: 1 },
  purchase: {
    ...common,
    type: 'purchase',
    order_id: 'order-1',
    currency: 'EUR',
    items: [
      { item_id: 'sku-1', price: 10, quantity: 2 },
      { item_id: 'sku-2', price: 0, quantity: 1 },
    ],
  },
  search: { ...common, type: 'search', query: 'red lipstick', results_count: 0 },
  impression: { ...common, type: 'impression', item_ids: ['sku-1', 'sku-2'], list: 'home-top' },
};

const validItem = {
  item_id: 'sku-1',
  title: 'Lipstick',
  category_path: ['Beauty', 'Lips'],
  price: 12.5,
  currency: 'EUR',
  availability: 'in_stock',
  updated_at: '2026-05-01T12:00:00Z',
};

function problemsOf(verdict: { ok: true } | { ok: false; problems: FieldProblem[] }): FieldProblem[] {
  return verdict.ok ? [] : verdict.problems;
}

function eventProblems(input: unknown): FieldProblem[] {
  const verdict = validators.validateEvent(input);
  return problemsOf(verdict);
}

function fields(problems: FieldProblem[]): string[] {
  return [...new Set(problems.map((p) => p.field))].sort();
}

t.test('a valid example of every event type passes', (t) => {
  t.same(Object.keys(VALID).sort(), [...EVENT_TYPES].sort(), 'the examples cover every type');
  for (const type of EVENT_TYPES) {
    const verdict = validators.validateEvent(VALID[type]);
    t.same(problemsOf(verdict), [], `${type} is valid`);
    t.ok(verdict.ok && verdict.value === VALID[type], `${type}: the value is the input`);
  }
  t.end();
});

t.test('the minimal form of every event type passes', (t) => {
  const minimal: Record<EventType, Record<string, unknown>> = {
    view: { type: 'view', item_id: 'a' },
    click: { type: 'click', item_id: 'a' },
    add_to_cart: { type: 'add_to_cart', item_id: 'a', quantity: 1, price: 1, currency: 'EUR' },
    remove_from_cart: { type: 'remove_from_cart', item_id: 'a', quantity: 1 },
    purchase: {
      type: 'purchase',
      order_id: 'o',
      currency: 'EUR',
      items: [{ item_id: 'a', price: 1, quantity: 1 }],
    },
    search: { type: 'search', query: 'q' },
    impression: { type: 'impression', item_ids: ['a'] },
  };
  for (const type of EVENT_TYPES) {
    t.same(
      eventProblems({ event_id: 'e', anonymous_id: 'anon-1', ...minimal[type] }),
      [],
      `${type} with only required fields and an anonymous id`,
    );
  }
  t.end();
});

t.test('missing required fields are named', (t) => {
  const { event_id: _dropped, ...noId } = VALID.view;
  t.same(eventProblems(noId), [{ field: '/event_id', reason: 'is required' }]);
  const { item_id: _item, ...noItem } = VALID.click;
  t.same(eventProblems(noItem), [{ field: '/item_id', reason: 'is required' }]);
  const { items: _items, order_id: _order, ...noLines } = VALID.purchase;
  t.same(fields(eventProblems(noLines)), ['/items', '/order_id'], 'every missing field at once');
  const { quantity: _q, ...noQuantity } = VALID.add_to_cart;
  t.same(fields(eventProblems(noQuantity)), ['/quantity']);
  t.end();
});

t.test('an unknown or missing type is refused with the allowed ones', (t) => {
  const [unknown] = eventProblems({ ...VALID.view, type: 'like' });
  t.equal(unknown?.field, '/type');
  t.match(unknown?.reason, /must be one of: view, click, add_to_cart/);
  const { type: _type, ...noType } = VALID.view;
  t.same(eventProblems(noType), [{ field: '/type', reason: 'is required' }]);
  t.equal(eventProblems({ ...VALID.view, type: 7 })[0]?.field, '/type');
  t.equal(eventProblems({ ...VALID.view, type: 'VIEW' })[0]?.field, '/type', 'types are case-sensitive');
  t.end();
});

t.test('a document that is not an object is refused as a whole', (t) => {
  for (const input of [null, 'view', 42, [VALID.view], undefined]) {
    t.same(
      eventProblems(input),
      [{ field: '/', reason: 'must be a JSON object' }],
      `${JSON.stringify(input)}`,
    );
  }
  t.end();
});

t.test('wrong types are named by JSON pointer', (t) => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['price as a string', { ...VALID.view, price: '9.99' }, '/price'],
    ['negative price', { ...VALID.add_to_cart, price: -1 }, '/price'],
    ['fractional quantity', { ...VALID.add_to_cart, quantity: 1.5 }, '/quantity'],
    ['zero quantity', { ...VALID.remove_from_cart, quantity: 0 }, '/quantity'],
    ['position as string', { ...VALID.click, position: '3' }, '/position'],
    ['event_id as number', { ...VALID.view, event_id: 123 }, '/event_id'],
    ['empty query', { ...VALID.search, query: '' }, '/query'],
    ['item_ids not an array', { ...VALID.impression, item_ids: 'sku-1' }, '/item_ids'],
    ['empty item_ids', { ...VALID.impression, item_ids: [] }, '/item_ids'],
    ['empty purchase', { ...VALID.purchase, items: [] }, '/items'],
    [
      'line item price as string',
      { ...VALID.purchase, items: [{ item_id: 'a', price: 'free', quantity: 1 }] },
      '/items/0/price',
    ],
    [
      'second line item quantity',
      {
        ...VALID.purchase,
        items: [
          { item_id: 'a', price: 1, quantity: 1 },
          { item_id: 'b', price: 1, quantity: -2 },
        ],
      },
      '/items/1/quantity',
    ],
    ['bad page type', { ...VALID.view, context: { page: { type: 'landing' } } }, '/context/page/type'],
    ['properties as array', { ...VALID.view, properties: ['a'] }, '/properties'],
  ];
  for (const [label, input, field] of cases) {
    const problems = eventProblems(input);
    t.ok(problems.length > 0, `${label}: refused`);
    t.same(fields(problems), [field], `${label}: names ${field}`);
  }
  t.end();
});

t.test('fields that do not belong to the event type are refused', (t) => {
  t.same(eventProblems({ ...VALID.view, color: 'red' }), [
    { field: '/color', reason: 'is not allowed for this event type' },
  ]);
  t.same(fields(eventProblems({ ...VALID.search, item_id: 'sku-1' })), ['/item_id'], 'search has no item_id');
  t.same(fields(eventProblems({ ...VALID.click, quantity: 1 })), ['/quantity'], 'click has no quantity');
  t.same(
    fields(eventProblems({ ...VALID.view, context: { page: { type: 'home', extra: 1 } } })),
    ['/context/page/extra'],
    'nested objects are closed too',
  );
  t.same(
    fields(eventProblems({ ...VALID.purchase, items: [{ item_id: 'a', price: 1, quantity: 1, sku: 'x' }] })),
    ['/items/0/sku'],
  );
  t.end();
});

t.test('an event needs user_id or anonymous_id', (t) => {
  const { user_id: _u, ...anonymous } = VALID.view;
  t.same(eventProblems(anonymous), [{ field: '/user_id', reason: 'user_id or anonymous_id is required' }]);
  t.same(eventProblems({ ...anonymous, anonymous_id: 'anon-1' }), [], 'anonymous_id is enough');
  t.same(eventProblems({ ...anonymous, anonymous_id: 'anon-1', user_id: 'user-1' }), [], 'both are fine');
  t.end();
});

t.test(`properties are capped at ${MAX_PROPERTIES_BYTES} bytes serialized`, (t) => {
  const overhead = JSON.stringify({ k: '' }).length;
  const atLimit = { k: 'x'.repeat(MAX_PROPERTIES_BYTES - overhead) };
  t.equal(Buffer.byteLength(JSON.stringify(atLimit)), MAX_PROPERTIES_BYTES);
  t.same(eventProblems({ ...VALID.view, properties: atLimit }), [], 'exactly at the limit passes');
  const overLimit = { k: 'x'.repeat(MAX_PROPERTIES_BYTES - overhead + 1) };
  t.same(
    eventProblems({ ...VALID.view, properties: overLimit }),
    [{ field: '/properties', reason: `must be at most ${MAX_PROPERTIES_BYTES} bytes serialized` }],
    'one byte over is refused',
  );
  const multiByte = { k: 'é'.repeat(MAX_PROPERTIES_BYTES / 2) };
  t.ok(JSON.stringify(multiByte).length < MAX_PROPERTIES_BYTES, 'fewer characters than the limit…');
  t.same(
    fields(eventProblems({ ...VALID.view, properties: multiByte })),
    ['/properties'],
    '…but more bytes: refused',
  );
  const manyKeys = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i]));
  t.same(
    fields(eventProblems({ ...VALID.view, properties: manyKeys })),
    ['/properties'],
    'more than 50 keys is refused',
  );
  t.end();
});

t.test('ids must use the safe alphabet, so SQL-looking ids never get in', (t) => {
  const hostile = [
    "x' OR 1=1 --",
    'a;DROP TABLE events',
    'a b',
    "o'brien",
    'sku\n1',
    'id`',
    '',
    'x'.repeat(129),
    'ünï',
  ];
  for (const id of hostile) {
    t.same(
      fields(eventProblems({ ...VALID.view, item_id: id })),
      ['/item_id'],
      `item_id ${JSON.stringify(id).slice(0, 30)}`,
    );
    t.same(
      fields(eventProblems({ ...VALID.view, event_id: id })),
      ['/event_id'],
      `event_id ${JSON.stringify(id).slice(0, 30)}`,
    );
    t.same(
      fields(eventProblems({ ...VALID.view, user_id: id })),
      ['/user_id'],
      `user_id ${JSON.stringify(id).slice(0, 30)}`,
    );
  }
  t.same(
    fields(eventProblems({ ...VALID.impression, item_ids: ['ok', "bad'"] })),
    ['/item_ids/1'],
    'each id of a list is checked',
  );
  t.same(
    eventProblems({ ...VALID.view, item_id: 'A-z_0.9:@/+=' }),
    [],
    'the whole safe alphabet is accepted',
  );
  t.end();
});

t.test('currency must be three capital letters', (t) => {
  for (const currency of ['eur', 'EURO', 'E1R', 'EU', '', '€']) {
    t.same(fields(eventProblems({ ...VALID.purchase, currency })), ['/currency'], JSON.stringify(currency));
  }
  t.end();
});

t.test('timestamps: RFC 3339 format is checked, plausibility is not (ingest corrects skew)', (t) => {
  t.same(
    eventProblems({ ...VALID.view, timestamp: '2999-12-31T23:59:59Z' }),
    [],
    'far future is valid format-wise',
  );
  t.same(
    eventProblems({ ...VALID.view, timestamp: '2026-05-01T12:00:00.123+02:00' }),
    [],
    'fraction and offset',
  );
  for (const timestamp of [
    'yesterday',
    '2026-05-01',
    '2026-13-01T00:00:00Z',
    '1714564800',
    '2026-05-01 12:00:00',
  ]) {
    t.same(fields(eventProblems({ ...VALID.view, timestamp })), ['/timestamp'], JSON.stringify(timestamp));
  }
  t.end();
});

t.test('catalog items', (t) => {
  const verdict = validators.validateItem(validItem);
  t.ok(verdict.ok, 'a minimal item is valid');
  const full = {
    ...validItem,
    description: 'Long lasting',
    brand: 'Acme',
    attributes: { color: 'red', spf: 15, vegan: true, tags: ['matte', 'long'] },
    image_url: 'https://cdn.example/1.jpg',
    url: 'https://shop.example/p/1',
    created_at: '2025-01-01T00:00:00Z',
  };
  t.ok(validators.validateItem(full).ok, 'every optional field');

  const cases: [string, Record<string, unknown>, string][] = [
    ['empty title', { ...validItem, title: '' }, '/title'],
    ['negative price', { ...validItem, price: -5 }, '/price'],
    ['lower-case currency', { ...validItem, currency: 'eur' }, '/currency'],
    ['unknown availability', { ...validItem, availability: 'soon' }, '/availability'],
    [
      'category path too deep',
      { ...validItem, category_path: Array.from({ length: 9 }, (_, i) => `c${i}`) },
      '/category_path',
    ],
    ['empty category name', { ...validItem, category_path: ['Beauty', ''] }, '/category_path/1'],
    ['bad updated_at', { ...validItem, updated_at: 'now' }, '/updated_at'],
    ['extra field', { ...validItem, stock: 3 }, '/stock'],
    ['object attribute', { ...validItem, attributes: { size: { w: 1 } } }, '/attributes/size'],
    ['SQL-looking id', { ...validItem, item_id: "1'; DROP TABLE items; --" }, '/item_id'],
  ];
  for (const [label, input, field] of cases) {
    t.same(fields(problemsOf(validators.validateItem(input))), [field], `${label}: names ${field}`);
  }
  const { title: _t, updated_at: _u, ...missing } = validItem;
  t.same(
    problemsOf(validators.validateItem(missing)),
    [
      { field: '/title', reason: 'is required' },
      { field: '/updated_at', reason: 'is required' },
    ],
    'every missing field at once',
  );
  t.same(
    problemsOf(validators.validateItem('sku-1')),
    [{ field: '/', reason: 'must be object' }],
    'not an object',
  );
  t.end();
});
