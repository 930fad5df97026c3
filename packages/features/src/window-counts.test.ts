import t from 'tap';
import { sumWindows, windowReadPlan } from './window-counts.js';
import { WINDOWED_TYPES, WINDOWS, bucketOf, bucketsKept, windowField } from './windows.js';

const HOUR = 3_600_000;
const spec1h = WINDOWS.find((w) => w.name === '1h');
const spec24h = WINDOWS.find((w) => w.name === '24h');
if (spec1h === undefined || spec24h === undefined) throw new Error('windows changed: update this test');

// 2026-05-01 12:15 UTC: a quarter hour into a 3 h bucket (12:00–15:00) and half into a 10 min one (12:10–12:20).
const now = Date.UTC(2026, 4, 1, 12, 15);

t.test('the plan reads every kept bucket of every window and type, once', (t) => {
  const plan = windowReadPlan(now);
  const expected = WINDOWED_TYPES.length * WINDOWS.reduce((sum, spec) => sum + bucketsKept(spec), 0);
  t.equal(plan.fields.length, expected, 'unaligned time: each window spans its buckets plus the partial one');
  t.equal(new Set(plan.fields).size, plan.fields.length, 'no field twice');
  t.equal(plan.parts.length, plan.fields.length);
  t.ok(plan.fields.includes(windowField('click', spec1h, bucketOf(spec1h, now))), 'the current bucket');
  t.notOk(plan.fields.includes(windowField('click', spec1h, bucketOf(spec1h, now) + 1)), 'no future bucket');
  t.notOk(
    plan.fields.includes(windowField('click', spec1h, bucketOf(spec1h, now - HOUR) - 1)),
    'nothing before the window',
  );
  t.end();
});

t.test('sums: full buckets whole, the oldest pro rata, missing fields zero', (t) => {
  const plan = windowReadPlan(now);
  const stored = new Map<string, number>([
    // 1 h window = 11:15–12:15; buckets of 10 min. 11:10–11:20 is the oldest: 5 of its 10 min are inside.
    [windowField('view', spec1h, bucketOf(spec1h, Date.UTC(2026, 4, 1, 11, 12))), 4],
    [windowField('view', spec1h, bucketOf(spec1h, Date.UTC(2026, 4, 1, 11, 40))), 3],
    [windowField('view', spec1h, bucketOf(spec1h, now)), 2],
    // Older than the window: never read.
    [windowField('view', spec1h, bucketOf(spec1h, Date.UTC(2026, 4, 1, 11, 0))), 100],
    // 24 h window = 2026-04-30 12:15 – 05-01 12:15; 3 h buckets. The oldest (12:00–15:00 on 04-30) counts 2.75/3.
    [windowField('click', spec24h, bucketOf(spec24h, Date.UTC(2026, 3, 30, 13))), 12],
    [windowField('click', spec24h, bucketOf(spec24h, Date.UTC(2026, 4, 1, 1))), 1],
  ]);
  const counts = sumWindows(
    plan,
    plan.fields.map((field) => {
      const value = stored.get(field);
      return value === undefined ? null : String(value);
    }),
  );
  t.equal(counts['1h'].view, 4 * 0.5 + 3 + 2);
  t.equal(counts['1h'].click, 0);
  t.equal(counts['24h'].click, 12 * (2.75 / 3) + 1);
  t.equal(counts['24h'].view, 0, 'windows have their own buckets');
  t.equal(counts['7d'].purchase, 0);
  t.end();
});

t.test('an aligned time reads its oldest bucket whole', (t) => {
  const aligned = Date.UTC(2026, 4, 1, 12, 0);
  const plan = windowReadPlan(aligned);
  const oldest = windowField('view', spec1h, bucketOf(spec1h, aligned - HOUR));
  const counts = sumWindows(
    plan,
    plan.fields.map((field) => (field === oldest ? '6' : null)),
  );
  t.equal(counts['1h'].view, 6, '11:00–11:10 lies wholly inside 11:00–12:00');
  t.end();
});
