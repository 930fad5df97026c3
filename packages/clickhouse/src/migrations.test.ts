import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { ERROR_CODES, PermanentError } from '@recstream/errors';
import { createLogger } from '@recstream/logger';
import { CLICKHOUSE_MIGRATIONS_DIR } from '@recstream/schemas';
import type { ClickHouse } from './client.js';
import { readMigrations, runMigrations, splitStatements } from './migrations.js';

const logger = createLogger({ service: 'test', level: 'silent' });

t.test('splitStatements', (t) => {
  t.test('several statements, with and without a trailing semicolon', (t) => {
    t.same(
      splitStatements(
        'CREATE TABLE a (x UInt8) ENGINE = Memory;\nCREATE TABLE b (y UInt8) ENGINE = Memory;\n',
      ),
      ['CREATE TABLE a (x UInt8) ENGINE = Memory', 'CREATE TABLE b (y UInt8) ENGINE = Memory'],
    );
    t.same(
      splitStatements('SELECT 1;\nSELECT 2'),
      ['SELECT 1', 'SELECT 2'],
      'the last one needs no semicolon',
    );
    t.same(splitStatements('SELECT 1;'), ['SELECT 1'], 'a semicolon at the very end');
    t.same(
      splitStatements('SELECT 1;  \t\nSELECT 2;\t'),
      ['SELECT 1', 'SELECT 2'],
      'spaces after the semicolon',
    );
    t.same(splitStatements('SELECT 1;\r\nSELECT 2;\r\n'), ['SELECT 1', 'SELECT 2'], 'CRLF line endings');
    t.same(
      splitStatements('SELECT 1;\n;\n\n;\nSELECT 2;'),
      ['SELECT 1', 'SELECT 2'],
      'empty statements vanish',
    );
    t.same(splitStatements(''), [], 'an empty file has no statement');
    t.end();
  });

  t.test('a semicolon inside a line does not split', (t) => {
    t.same(splitStatements("SELECT 'a;b', 1;\nSELECT 2;"), ["SELECT 'a;b', 1", 'SELECT 2']);
    t.end();
  });

  t.test('comments', (t) => {
    t.same(splitStatements('-- only a comment\n-- and another;\n'), [], 'comment-only chunks are skipped');
    t.same(
      splitStatements(
        '-- header that ends in a semicolon;\n-- more header\nCREATE TABLE a (x UInt8) ENGINE = Memory;\n',
      ),
      ['-- more header\nCREATE TABLE a (x UInt8) ENGINE = Memory'],
      'a header comment ending in a semicolon does not produce a statement',
    );
    const multiLine =
      "CREATE TABLE a\n(\n    x UInt8 COMMENT 'x', -- why x\n    y String\n)\nENGINE = Memory;\nSELECT 1;\n";
    t.same(
      splitStatements(multiLine),
      ["CREATE TABLE a\n(\n    x UInt8 COMMENT 'x', -- why x\n    y String\n)\nENGINE = Memory", 'SELECT 1'],
      'comments inside a statement stay with it',
    );
    t.same(
      splitStatements('CREATE TABLE a (x UInt8) ENGINE = Memory;\n-- a closing remark\n'),
      ['CREATE TABLE a (x UInt8) ENGINE = Memory'],
      'a trailing comment is not a statement',
    );
    t.end();
  });
  t.end();
});

t.test('readMigrations', (t) => {
  t.test('reads .sql files in version order and ignores other files', async (t) => {
    const dir = t.testdir({
      '0010_third.sql': 'SELECT 10;',
      '0002_second.sql': 'SELECT 2;\nSELECT 22;\n',
      '0001_first.sql': '-- the first\nSELECT 1;\n',
      'README.md': 'not a migration',
    });
    const migrations = await readMigrations(dir);
    t.same(
      migrations.map((m) => [m.version, m.name, m.statements]),
      [
        [1, 'first', ['-- the first\nSELECT 1']],
        [2, 'second', ['SELECT 2', 'SELECT 22']],
        [10, 'third', ['SELECT 10']],
      ],
    );
    t.equal(
      migrations[0]?.checksum,
      createHash('sha256').update('-- the first\nSELECT 1;\n').digest('hex'),
      'checksum is sha256 of the file',
    );
  });

  t.test('an empty folder has no migrations', async (t) => {
    t.same(await readMigrations(t.testdir({})), []);
  });

  for (const bad of [
    '1_short.sql',
    '0001-dash.sql',
    '0001_Upper.sql',
    '00001_five_digits.sql',
    '0001_.sql',
    '0001_sp ace.sql',
    'abcd_name.sql',
  ]) {
    t.test(`refuses a file named ${bad}`, async (t) => {
      const dir = t.testdir({ '0001_ok.sql': 'SELECT 1;', [bad]: 'SELECT 2;' });
      await t.rejects(readMigrations(dir), {
        name: 'PermanentError',
        code: ERROR_CODES.migration,
        message: new RegExp(bad.replace('.', '\\.')),
      });
    });
  }

  t.test('refuses two files with the same version', async (t) => {
    const dir = t.testdir({
      '0001_a.sql': 'SELECT 1;',
      '0001_b.sql': 'SELECT 2;',
      '0002_c.sql': 'SELECT 3;',
    });
    await t.rejects(readMigrations(dir), { code: ERROR_CODES.migration, message: /version 1/ });
  });
  t.end();
});

t.test('the real migrations folder parses', async (t) => {
  const migrations = await readMigrations(CLICKHOUSE_MIGRATIONS_DIR);
  t.ok(migrations.length >= 3, 'has the migrations of the repository');
  t.same(
    migrations.map((m) => m.version),
    migrations.map((_, i) => i + 1),
    'versions are 1, 2, 3 … without gaps',
  );
  for (const migration of migrations) {
    t.ok(migration.statements.length > 0, `${migration.version}_${migration.name} has statements`);
    for (const statement of migration.statements) {
      t.notMatch(
        statement,
        /;\s*$/,
        `${migration.version}_${migration.name}: no statement keeps its semicolon`,
      );
      t.match(
        statement,
        /^(?:--[^\n]*\n|\s)*(CREATE|ALTER|DROP|INSERT|RENAME|OPTIMIZE)\b/,
        `${migration.version}_${migration.name}: each chunk is a real statement`,
      );
    }
  }
  const tables = migrations.flatMap((m) =>
    m.statements.map((s) => /CREATE TABLE IF NOT EXISTS (\w+)/.exec(s)?.[1]),
  );
  t.same(
    tables.filter((name) => name === 'events' || name === 'items' || name === 'failed_events'),
    ['events', 'items', 'failed_events'],
    'creates the tables the services write, in that order',
  );
});

/**
 * A ClickHouse that understands just what the runner sends: it records every statement and keeps
 * `schema_migrations` rows from the runner's own INSERTs, so a second run sees the first one.
 */
function fakeClickHouse() {
  const statements: { client: string; text: string }[] = [];
  const recorded: { version: number; name: string; checksum: string }[] = [];
  const make = (client: string, database: string | null): ClickHouse => ({
    database,
    driver: undefined as never,
    command(statement) {
      statements.push({ client, text: statement });
      const insert =
        /^INSERT INTO schema_migrations \(version, name, checksum, applied_at\) VALUES \((\d+), '([^']*)', '([0-9a-f]+)', now\(\)\)$/.exec(
          statement,
        );
      if (insert !== null)
        recorded.push({ version: Number(insert[1]), name: insert[2] ?? '', checksum: insert[3] ?? '' });
      return Promise.resolve();
    },
    query<Row>(query: string) {
      if (!query.includes('FROM schema_migrations'))
        return Promise.reject(new Error(`unexpected query ${query}`));
      return Promise.resolve(recorded.map(({ version, checksum }) => ({ version, checksum })) as Row[]);
    },
    queryWithTable: () => Promise.reject(new Error('unexpected query')),
    stream: () => {
      throw new Error('unexpected stream');
    },
    insert: () => Promise.reject(new Error('the runner does not insert rows')),
    ping: () => Promise.resolve(),
    close: () => Promise.resolve(),
  });
  const server = make('server', null);
  const inDatabase = make('inDatabase', 'test_db');
  /** Statements of the migrations themselves (not the runner's bookkeeping). */
  const applied = () =>
    statements
      .filter((s) => s.client === 'inDatabase' && !s.text.includes('schema_migrations'))
      .map((s) => s.text);
  return { server, inDatabase, statements, recorded, applied };
}

t.test('runMigrations', (t) => {
  t.test('applies every migration once, in order, and records it', async (t) => {
    const dir = t.testdir({
      '0001_a.sql': 'CREATE TABLE a (x UInt8) ENGINE = Memory;\n',
      '0002_b.sql': 'CREATE TABLE b (x UInt8) ENGINE = Memory;\nCREATE TABLE c (x UInt8) ENGINE = Memory;\n',
    });
    const ch = fakeClickHouse();
    const report = await runMigrations({
      server: ch.server,
      inDatabase: ch.inDatabase,
      database: 'test_db',
      dir,
      logger,
    });
    t.same(report, { applied: [1, 2], alreadyApplied: [] });
    t.same(
      ch.statements[0],
      { client: 'server', text: 'CREATE DATABASE IF NOT EXISTS `test_db`' },
      'the database is created on the server client',
    );
    t.same(ch.applied(), [
      'CREATE TABLE a (x UInt8) ENGINE = Memory',
      'CREATE TABLE b (x UInt8) ENGINE = Memory',
      'CREATE TABLE c (x UInt8) ENGINE = Memory',
    ]);
    const migrations = await readMigrations(dir);
    t.same(
      ch.recorded,
      migrations.map((m) => ({ version: m.version, name: m.name, checksum: m.checksum })),
      'each version is recorded with its name and checksum',
    );
  });

  t.test('skips what is already applied and applies only the new ones', async (t) => {
    const dir = t.testdir({ '0001_a.sql': 'CREATE TABLE a (x UInt8) ENGINE = Memory;\n' });
    const ch = fakeClickHouse();
    await runMigrations({ server: ch.server, inDatabase: ch.inDatabase, database: 'test_db', dir, logger });
    const again = await runMigrations({
      server: ch.server,
      inDatabase: ch.inDatabase,
      database: 'test_db',
      dir,
      logger,
    });
    t.same(again, { applied: [], alreadyApplied: [1] });
    t.same(ch.applied(), ['CREATE TABLE a (x UInt8) ENGINE = Memory'], 'the migration ran only once');

    await writeFile(join(dir, '0002_b.sql'), 'CREATE TABLE b (x UInt8) ENGINE = Memory;\n');
    const third = await runMigrations({
      server: ch.server,
      inDatabase: ch.inDatabase,
      database: 'test_db',
      dir,
      logger,
    });
    t.same(third, { applied: [2], alreadyApplied: [1] });
    t.same(ch.applied(), [
      'CREATE TABLE a (x UInt8) ENGINE = Memory',
      'CREATE TABLE b (x UInt8) ENGINE = Memory',
    ]);
  });

  t.test('refuses a migration whose file changed after it was applied', async (t) => {
    const dir = t.testdir({ '0001_a.sql': 'CREATE TABLE a (x UInt8) ENGINE = Memory;\n' });
    const ch = fakeClickHouse();
    await runMigrations({ server: ch.server, inDatabase: ch.inDatabase, database: 'test_db', dir, logger });
    await writeFile(join(dir, '0001_a.sql'), 'CREATE TABLE a (x UInt16) ENGINE = Memory;\n');
    await writeFile(join(dir, '0002_b.sql'), 'CREATE TABLE b (x UInt8) ENGINE = Memory;\n');
    const error: unknown = await runMigrations({
      server: ch.server,
      inDatabase: ch.inDatabase,
      database: 'test_db',
      dir,
      logger,
    }).catch((e: unknown) => e);
    t.type(error, PermanentError);
    t.match(error, {
      code: ERROR_CODES.migration,
      message: /migration 1_a changed after it was applied to test_db/,
    });
    t.same(
      ch.applied(),
      ['CREATE TABLE a (x UInt8) ENGINE = Memory'],
      'neither the changed nor the later migration ran',
    );
    t.same(
      ch.recorded.map((r) => r.version),
      [1],
    );
  });

  t.test('refuses an unsafe database name before sending anything', async (t) => {
    const dir = t.testdir({ '0001_a.sql': 'SELECT 1;' });
    const ch = fakeClickHouse();
    await t.rejects(
      runMigrations({
        server: ch.server,
        inDatabase: ch.inDatabase,
        database: 'x; DROP DATABASE prod',
        dir,
        logger,
      }),
      TypeError,
    );
    t.same(ch.statements, [], 'no statement was sent');
  });
  t.end();
});
