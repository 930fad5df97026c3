import t from 'tap';
import { toEventRow } from './event-row.js';
import { toItemRow } from './item-row.js';
import { EVENT_COLUMNS, FAILED_EVENT_COLUMNS, ITEM_COLUMNS, fitRow } from './table-columns.js';

const row = {
  s: 'text',
  i: 5,
  u: 7,
  f: 1.5,
  d: '2026-05-01 10:00:00',
  day: '2026-05-01',
  a: ['x'],
  n: [1, 2],
};
const columns = {
  s: 'String',
  i: 'Int32',
  u: 'UInt64',
  f: 'Float64',
  d: 'DateTime',
  day: 'Date',
  a: 'Array(String)',
  n: 'Array(UInt32)',
} as const;

const problem = (patch: Record<string, unknown>) => {
  const result = fitRow({ ...row, ...patch }, columns);
  return 'problem' in result ? result.problem : undefined;
};

t.test('a row that fits is returned as it is', (t) => {
  const result = fitRow(row, columns);
  t.ok('row' in result && result.row === row, 'not copied');
  t.end();
});

t.test('integers must be integers inside the column type', (t) => {
  t.equal(problem({ i: 1e21 }), 'i 1e+21 does not fit Int32');
  t.equal(problem({ i: 2 ** 31 }), 'i 2147483648 does not fit Int32', 'ClickHouse would wrap it silently');
  t.equal(problem({ i: -(2 ** 31) }), undefined);
  t.equal(problem({ i: 1.5 }), 'i 1.5 does not fit Int32');
  t.equal(problem({ i: '12' }), undefined, 'digits in a string are how 64-bit integers travel');
  t.equal(problem({ u: -5 }), 'u -5 does not fit UInt64');
  t.equal(problem({ u: '18446744073709551615' }), undefined);
  t.equal(problem({ u: '18446744073709551616' }), 'u "18446744073709551616" does not fit UInt64');
  t.equal(problem({ n: [1, -1] }), 'n [1] -1 does not fit UInt32');
  t.equal(problem({ i: null }), 'i null does not fit Int32');
  t.end();
});

t.test('floats must be finite; a subnormal is stored as 0', (t) => {
  t.equal(problem({ f: Number.NaN }), 'f NaN is not a finite number');
  t.equal(problem({ f: Infinity }), 'f Infinity is not a finite number');
  t.equal(problem({ f: '1.5' }), 'f "1.5" is not a finite number');
  const fitted = fitRow({ ...row, f: 5e-324 }, columns);
  t.match(fitted, { row: { f: 0 } }, '18.16 reads 5e-324 as nan');
  t.equal(row.f, 1.5, 'the original row is left alone');
  t.end();
});

t.test('times must be real times inside 1970 to 2105', (t) => {
  t.equal(problem({ d: '1970-01-01 00:00:00' }), undefined);
  t.equal(problem({ d: '2105-12-31 23:59:59' }), undefined);
  t.match(problem({ d: '1969-12-31 23:59:59' }), /d "1969-12-31 23:59:59" is outside the DateTime range/);
  t.match(problem({ d: '2200-01-01 00:00:00' }), /outside the DateTime range/);
  t.match(problem({ d: '2026-02-30 00:00:00' }), /is not a DateTime/);
  t.equal(problem({ d: '2024-02-29 23:59:59' }), undefined, 'a leap day');
  t.match(problem({ d: '2023-02-29 00:00:00' }), /is not a DateTime/);
  t.match(problem({ d: '2026-13-01 00:00:00' }), /is not a DateTime/);
  t.match(problem({ d: '2026-05-01 24:00:00' }), /is not a DateTime/);
  t.match(problem({ d: '2026-05-01 10:00:0x' }), /is not a DateTime/);
  t.match(problem({ d: '2026-05-01' }), /is not a DateTime/);
  t.match(problem({ day: '2026-05-01 00:00:00' }), /is not a Date/);
  t.match(problem({ d: '2026-05-01T10:00:00Z' }), /is not a DateTime/);
  t.match(problem({ d: 1777629600 }), /is not a DateTime/);
  t.match(problem({ day: '2106-01-01' }), /outside the Date range/);
  t.match(problem({ day: '1960-01-01' }), /outside the Date range/);
  t.match(problem({ day: 'garbage' }), /is not a Date/);
  t.end();
});

t.test('strings must be strings; lone surrogates become U+FFFD', (t) => {
  t.equal(problem({ s: 5 }), 's 5 is not a string');
  t.equal(problem({ a: 'x' }), 'a "x" is not an array');
  t.equal(problem({ a: ['x', {}] }), 'a [1] {} is not a string');
  t.match(fitRow({ ...row, s: 'a\ud800b\udc00c\ud83d\ude00' }, columns), {
    row: { s: 'a\ufffdb\ufffdc\ud83d\ude00' },
  });
  t.match(fitRow({ ...row, a: ['ok', '\udfff'] }, columns), { row: { a: ['ok', '\ufffd'] } });
  t.end();
});

t.test('every problem is named, and unknown columns too', (t) => {
  t.equal(
    problem({ i: 1e21, s: 5, extra: 1 }),
    's 5 is not a string; i 1e+21 does not fit Int32; extra is not a column',
  );
  t.end();
});

t.test('the rows the writers build fit their tables', (t) => {
  const event = toEventRow({
    type: 'purchase',
    event_id: 'e1',
    user_id: 'u1',
    order_id: 'o1',
    currency: 'EUR',
    items: [{ item_id: 'a', price: 10, quantity: 2 }],
    schema_version: 1,
    received_at: '2026-05-01T10:00:01.000Z',
    event_time: '2026-05-01T10:00:00.000Z',
    source: 'shop',
  });
  t.ok('row' in fitRow(event, EVENT_COLUMNS), 'an event row');
  t.same(Object.keys(event).sort(), Object.keys(EVENT_COLUMNS).sort(), 'every events column, no other');
  const item = toItemRow({
    item_id: 'sku-1',
    title: 'T',
    category_path: ['A'],
    price: 1,
    currency: 'EUR',
    availability: 'in_stock',
    updated_at: '2026-05-01T10:00:00.000Z',
  });
  t.ok('row' in fitRow(item, ITEM_COLUMNS), 'an item row');
  t.same(Object.keys(item).sort(), Object.keys(ITEM_COLUMNS).sort(), 'every items column, no other');
  t.ok(Object.keys(FAILED_EVENT_COLUMNS).includes('dlq_position'));
  t.end();
});
