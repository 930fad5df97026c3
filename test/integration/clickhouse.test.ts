/**
 * Against the real local ClickHouse: migrations apply on a fresh database and are idempotent,
 * and hostile strings survive the escaping helper byte for byte (no injection).
 */
import t from 'tap';
import { readdir } from 'node:fs/promises';
import { createClickHouse, ident, runMigrations, sql } from '@recstream/clickhouse';
import { CLICKHOUSE_MIGRATIONS_DIR } from '@recstream/schemas';
import { createTestDatabase, dropTestDatabase, infra, testLogger, testNamespace } from '@recstream/testing';

const ns = testNamespace('ch');

t.test('migrations and escaping on the real server', async (t) => {
  const clickhouse = await createTestDatabase(ns);
  t.teardown(async () => {
    await clickhouse.close();
    await dropTestDatabase(ns);
  });

  t.test('migrations are idempotent', async (t) => {
    const server = createClickHouse({
      url: infra.clickhouseUrl,
      username: infra.clickhouseUser,
      password: infra.clickhousePassword,
      database: null,
    });
    t.teardown(() => server.close());
    const again = await runMigrations({
      server,
      inDatabase: clickhouse,
      database: ns.database,
      dir: CLICKHOUSE_MIGRATIONS_DIR,
      logger: testLogger(),
    });
    t.same(again.applied, [], 'nothing applied the second time');
    const files = (await readdir(CLICKHOUSE_MIGRATIONS_DIR)).filter((name) => name.endsWith('.sql'));
    t.equal(again.alreadyApplied.length, files.length, 'every migration file recorded as applied');
    // The tables the services write; the analyst rollups are covered by analytics.test.ts.
    const tables = await clickhouse.query<{ name: string }>(
      sql`SELECT name FROM system.tables WHERE database = ${ns.database}
          AND name IN ('events', 'failed_events', 'items', 'schema_migrations') ORDER BY name`,
    );
    t.same(
      tables.map((r) => r.name),
      ['events', 'failed_events', 'items', 'schema_migrations'],
    );
  });

  t.test('hostile strings round-trip through sql literals', async (t) => {
    await clickhouse.command(
      'CREATE TABLE injection_probe (id UInt32, s String) ENGINE = MergeTree ORDER BY id',
    );
    const hostile = [
      "' OR 1=1 --",
      "x'); DROP TABLE injection_probe; --",
      '\\',
      "\\'",
      "'\\''",
      'line\nbreak\ttab\rreturn',
      '\0nul',
      'emoji 🛒 and ünïcödé',
      '`backtick` "double"',
      '\x01\x02\x1f\x7f',
      '${not_a_template}',
    ];
    for (const [index, value] of hostile.entries()) {
      await clickhouse.command(
        sql`INSERT INTO ${ident('injection_probe')} (id, s) VALUES (${index}, ${value})`,
      );
    }
    const rows = await clickhouse.query<{ id: number; s: string }>(
      'SELECT id, s FROM injection_probe ORDER BY id',
    );
    t.same(
      rows.map((r) => r.s),
      hostile,
      'every value stored exactly as given',
    );
    for (const [index, value] of hostile.entries()) {
      const found = await clickhouse.query<{ id: number }>(
        sql`SELECT id FROM injection_probe WHERE s = ${value}`,
      );
      t.same(
        found.map((r) => Number(r.id)),
        [index],
        `lookup by ${JSON.stringify(value)} matches only its row`,
      );
    }
    const [count] = await clickhouse.query<{ n: string }>('SELECT count() AS n FROM injection_probe');
    t.equal(Number(count?.n), hostile.length, 'the table is still there with all rows');

    // The same values sent as an external table (how the sink's dedup sends ids) match byte for byte.
    const matched = await clickhouse.queryWithTable<{ id: number }>(
      'SELECT id FROM injection_probe WHERE s IN (SELECT v FROM probe_values) ORDER BY id',
      { name: 'probe_values', column: 'v', values: hostile },
    );
    t.same(
      matched.map((r) => Number(r.id)),
      hostile.map((_, index) => index),
      'every hostile value sent as external data finds exactly its row',
    );
    const none = await clickhouse.queryWithTable<{ id: number }>(
      'SELECT id FROM injection_probe WHERE s IN (SELECT v FROM probe_values)',
      { name: 'probe_values', column: 'v', values: hostile.map((value) => `${value}x`) },
    );
    t.same(none, [], 'and nothing else');
    await t.rejects(
      clickhouse.queryWithTable('SELECT nonsense FROM probe_values', {
        name: 'probe_values',
        column: 'v',
        values: ['a'],
      }),
      /clickhouse query failed: .*Code: 47/,
      'a server error comes back classified, with its code',
    );
  });
});
