/**
 * Item times and event counts are bounded by the ClickHouse columns that store them, so the
 * collector refuses, with a per-field reason, what the sink could not store or would store wrong.
 */
import t from 'tap';
import { INT32_MAX } from '../events/event.schema.js';
import { createValidators, type FieldProblem } from '../validation.js';

const now = Date.parse('2026-05-01T12:00:00.000Z');
const validators = createValidators({ now: () => now, maxItemFutureSkewMs: 60_000 });

const item = {
  item_id: 'sku-1',
  title: 'Lipstick',
  category_path: ['Beauty', 'Lips'],
  price: 12.5,
  currency: 'EUR',
  availability: 'in_stock',
  updated_at: '2026-05-01T11:00:00Z',
};

function problems(input: unknown): FieldProblem[] {
  const verdict = validators.validateItem(input);
  return verdict.ok ? [] : verdict.problems;
}

t.test('updated_at and created_at: from 1970 to the receive time plus the skew', (t) => {
  t.same(problems(item), [], 'a time before now is fine');
  t.same(problems({ ...item, updated_at: '2026-05-01T12:00:59Z' }), [], 'within the skew');
  t.same(problems({ ...item, updated_at: '1970-01-01T00:00:01Z' }), [], 'the first DateTime second');
  t.match(problems({ ...item, updated_at: '2026-05-01T12:01:01Z' }), [
    { field: '/updated_at', reason: /must not be later than 2026-05-01T12:01:00.000Z/ },
  ]);
  t.match(problems({ ...item, updated_at: '2100-01-01T00:00:00Z' }), [{ field: '/updated_at' }]);
  t.match(problems({ ...item, updated_at: '1970-01-01T00:00:00Z' }), [{ field: '/updated_at' }], 'second 0');
  t.match(problems({ ...item, updated_at: '1969-12-31T23:59:59Z' }), [
    { field: '/updated_at', reason: /1970-01-01T00:00:01Z/ },
  ]);
  t.match(
    problems({ ...item, updated_at: '1970-01-01T00:30:00+01:00' }),
    [{ field: '/updated_at' }],
    'an offset that puts it before 1970',
  );
  t.match(problems({ ...item, updated_at: '0001-01-01T00:00:00Z' }), [{ field: '/updated_at' }]);
  t.match(problems({ ...item, updated_at: '9999-12-31T23:59:59Z' }), [{ field: '/updated_at' }]);
  t.match(
    problems({ ...item, updated_at: '2016-12-31T23:59:60Z' }),
    [{ field: '/updated_at', reason: 'must be a representable time' }],
    'a leap second, which Date cannot read',
  );
  t.match(problems({ ...item, created_at: '1960-01-01T00:00:00Z' }), [{ field: '/created_at' }]);
  t.match(problems({ ...item, created_at: '2030-01-01T00:00:00Z' }), [{ field: '/created_at' }]);
  t.same(problems({ ...item, created_at: '2020-01-01T00:00:00Z' }), []);
  t.end();
});

t.test('the receive time is read at each validation', (t) => {
  let clock = now;
  const moving = createValidators({ now: () => clock, maxItemFutureSkewMs: 0 });
  const later = { ...item, updated_at: '2026-05-01T13:00:00Z' };
  t.notOk(moving.validateItem(later).ok, 'refused an hour early');
  clock += 3_600_000;
  t.ok(moving.validateItem(later).ok, 'accepted once it is no longer in the future');
  t.end();
});

t.test('search results_count fits the Int32 column', (t) => {
  const search = { type: 'search', event_id: 'e1', user_id: 'u1', query: 'lipstick' };
  t.ok(validators.validateEvent({ ...search, results_count: INT32_MAX }).ok);
  for (const count of [INT32_MAX + 1, 1e21, 2 ** 53]) {
    const verdict = validators.validateEvent({ ...search, results_count: count });
    t.match(
      verdict,
      { ok: false, problems: [{ field: '/results_count', reason: /<= 2147483647/ }] },
      `${count}`,
    );
  }
  t.end();
});
