import t from 'tap';
import type { ClickHouse, ExternalTable } from './client.js';
import { createRowDeduplicator } from './dedup.js';

/** A ClickHouse that "stores" `stored` ids and records each lookup it is asked. */
function fakeClickHouse(stored: readonly string[]) {
  const lookups: { query: string; table: ExternalTable }[] = [];
  const clickhouse: ClickHouse = {
    database: 'test_db',
    driver: undefined as never,
    command: () => Promise.reject(new Error('unexpected command')),
    query: () => Promise.reject(new Error('lookups send their ids as a table')),
    queryWithTable<Row>(query: string, table: ExternalTable): Promise<Row[]> {
      lookups.push({ query, table });
      return Promise.resolve(stored.filter((id) => table.values.includes(id)).map((id) => ({ id }) as Row));
    },
    stream: () => {
      throw new Error('unexpected stream');
    },
    insert: () => Promise.reject(new Error('unexpected insert')),
    ping: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  return { clickhouse, lookups };
}

const row = (event_id: string, event_date = '2026-05-01', note = '') => ({ event_id, event_date, note });

t.test('drops ids already stored and repeats within the batch, keeping first copies in order', async (t) => {
  const { clickhouse, lookups } = fakeClickHouse(['e2', 'e9']);
  const dedup = createRowDeduplicator(clickhouse, {
    table: 'events',
    idColumn: 'event_id',
    dateColumn: 'event_date',
  });
  const fresh = await dedup([
    row('e1', '2026-05-01', 'first'),
    row('e2'),
    row('e3'),
    row('e1', '2026-05-01', 'again'),
  ]);
  t.same(fresh, [row('e1', '2026-05-01', 'first'), row('e3')]);
  t.equal(lookups.length, 1, 'one lookup for a small batch');
  t.match(lookups[0]?.query, /FROM `events`/);
  t.match(
    lookups[0]?.query,
    /BETWEEN toDate\('2026-04-30'\) AND toDate\('2026-05-02'\)/,
    'a day of slack each side',
  );
  t.same(lookups[0]?.table.values, ['e1', 'e2', 'e3'], 'each id asked once');
  t.match(lookups[0]?.query, /`event_id` IN \(SELECT id FROM batch_ids\)/);
});

t.test('the date range spans the whole batch', async (t) => {
  const { clickhouse, lookups } = fakeClickHouse([]);
  const dedup = createRowDeduplicator(clickhouse, {
    table: 'events',
    idColumn: 'event_id',
    dateColumn: 'event_date',
    dateSlackDays: 0,
  });
  await dedup([row('a', '2026-03-01'), row('b', '2026-02-27'), row('c', '2026-03-02')]);
  t.match(lookups[0]?.query, /BETWEEN toDate\('2026-02-27'\) AND toDate\('2026-03-02'\)/);
});

t.test('very large batches are looked up in chunks', async (t) => {
  const ids = Array.from({ length: 12 }, (_, i) => `e${i}`);
  const { clickhouse, lookups } = fakeClickHouse(['e0', 'e5', 'e11']);
  const dedup = createRowDeduplicator(clickhouse, {
    table: 'events',
    idColumn: 'event_id',
    dateColumn: 'event_date',
    lookupChunk: 5,
  });
  const fresh = await dedup(ids.map((id) => row(id)));
  t.equal(lookups.length, 3, '12 ids in chunks of 5');
  t.same(
    fresh.map((r) => (r as { event_id: string }).event_id),
    ids.filter((id) => !['e0', 'e5', 'e11'].includes(id)),
  );
});

t.test('hostile ids travel as data, never as SQL', async (t) => {
  const { clickhouse, lookups } = fakeClickHouse([]);
  const dedup = createRowDeduplicator(clickhouse, {
    table: 'events',
    idColumn: 'event_id',
    dateColumn: 'event_date',
  });
  await dedup([row("x'); DROP TABLE events; --")]);
  t.same(lookups[0]?.table.values, ["x'); DROP TABLE events; --"]);
  t.notMatch(lookups[0]?.query, /DROP/, 'the query text holds no id');
});

t.test('an empty batch asks nothing; a row without the columns is a programming error', async (t) => {
  const { clickhouse, lookups } = fakeClickHouse([]);
  const dedup = createRowDeduplicator(clickhouse, {
    table: 'events',
    idColumn: 'event_id',
    dateColumn: 'event_date',
  });
  t.same(await dedup([]), []);
  t.equal(lookups.length, 0);
  await t.rejects(dedup([{ id: 1 }]), /no string column event_id/);
});
