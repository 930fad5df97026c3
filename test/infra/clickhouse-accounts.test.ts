/**
 * The ClickHouse accounts infra/infra.sh writes (infra/lib/clickhouse.sh), on a PRIVATE ClickHouse
 * this test starts: its own REC_INFRA_DIR under .local/test-infra-ch-<random> and its own ports,
 * so the shared instance is never touched. Only the clickhouse component runs (it starts in ~1 s).
 *
 * What a developer and an attacker would notice:
 * - no passwordless account: Debian's `default` and `readonly` users are gone, so a web page that
 *   POSTs SQL to the port (CSRF) gets nothing; passwords are generated per instance, kept 0600;
 * - each service's account can do what the service does (the services' own query code runs here)
 *   and is refused the rest; the analyst is bounded in rows, time, memory and queries per minute;
 * - an install written before these accounts existed is upgraded by `start`, stopped or running.
 */
import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, openSync, closeSync } from 'node:fs';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createClickHouse,
  createRowDeduplicator,
  runMigrations,
  type ClickHouse,
} from '@recstream/clickhouse';
import { CLICKHOUSE_MIGRATIONS_DIR } from '@recstream/schemas';
import { freePorts, testLogger } from '@recstream/testing';
import { countLoggedEvents, readEventLog } from '@recstream/feature/event-log';
import { readPopularQueries } from '@recstream/serving/search-log-reader';
import { createClickHouseMirror } from '@recstream/trainer/registry';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const INFRA_SH = path.join(REPO_ROOT, 'infra', 'infra.sh');

const suffix = randomBytes(4).toString('hex');
const instanceDir = path.join(REPO_ROOT, '.local', `test-infra-ch-${suffix}`);
const confDir = path.join(instanceDir, 'conf', 'clickhouse');
const usersD = path.join(confDir, 'users.d');
const credentialsFile = path.join(instanceDir, 'secrets', 'clickhouse.env');
// The database the service accounts may use (REC_CLICKHOUSE_DATABASE), and one they may not.
const database = `test_accounts_${suffix}`;
const otherDatabase = `test_other_${suffix}`;

// Free ports below the ephemeral range, checked by binding them (as the failure tests do).
const [httpPort, tcpPort, interserverPort] = (await freePorts(3)) as [number, number, number];
const url = `http://127.0.0.1:${httpPort}`;
const instanceEnv: NodeJS.ProcessEnv = {
  ...process.env,
  REC_INFRA_DIR: instanceDir,
  REC_INFRA_TIMEOUT_S: '60',
  REC_CLICKHOUSE_HTTP_PORT: String(httpPort),
  REC_CLICKHOUSE_TCP_PORT: String(tcpPort),
  REC_CLICKHOUSE_INTERSERVER_PORT: String(interserverPort),
  REC_CLICKHOUSE_DATABASE: database,
};
// What a shell that evaluated the shared instance's `env` would pass on: none of it may leak in.
delete instanceEnv['REC_CLICKHOUSE_ANALYST_PASSWORD'];

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function infra(args: readonly string[]): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [INFRA_SH, ...args], { cwd: REPO_ROOT, env: instanceEnv });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function infraOk(tt: Test, args: readonly string[]): Promise<RunResult> {
  const result = await infra(args);
  tt.equal(result.code, 0, `infra.sh ${args.join(' ')} exits 0`, {
    stdout: result.stdout,
    stderr: result.stderr,
  });
  return result;
}

/** The `export NAME=value` lines of `infra.sh env` (values are plain: hex passwords, names). */
async function envOf(tt: Test): Promise<Record<string, string>> {
  const { stdout } = await infraOk(tt, ['env']);
  const pairs = [...stdout.matchAll(/^export (REC_[A-Z_]+)=(.*)$/gm)].map((m): [string, string] => [
    m[1] ?? '',
    m[2] ?? '',
  ]);
  return Object.fromEntries(pairs);
}

interface Account {
  readonly user: string;
  readonly password: string;
}

let env: Record<string, string> = {};
function account(role: 'admin' | 'sink' | 'feature' | 'trainer' | 'serving' | 'analyst'): Account {
  const prefix = role === 'admin' ? 'REC_CLICKHOUSE' : `REC_CLICKHOUSE_${role.toUpperCase()}`;
  return { user: env[`${prefix}_USER`] ?? '', password: env[`${prefix}_PASSWORD`] ?? '' };
}

interface Answer {
  status: number;
  /** ClickHouse's error code, or 0 when the statement succeeded. */
  code: number;
  text: string;
}

/** One statement over HTTP, as any client (or a browser) would send it. */
async function run(
  who: Account | null,
  statement: string,
  params: Record<string, string> = {},
): Promise<Answer> {
  const target = new URL(url);
  for (const [name, value] of Object.entries(params)) target.searchParams.set(name, value);
  const headers: Record<string, string> = { 'content-type': 'text/plain' };
  if (who !== null)
    headers['authorization'] = `Basic ${Buffer.from(`${who.user}:${who.password}`).toString('base64')}`;
  const response = await fetch(target, { method: 'POST', headers, body: statement });
  const text = await response.text();
  const code = response.ok ? 0 : Number(/Code: (\d+)/.exec(text)?.[1] ?? -1);
  return { status: response.status, code, text: text.trim() };
}

function client(who: Account, db: string | null = database): ClickHouse {
  return createClickHouse({ url, username: who.user, password: who.password, database: db });
}

async function withClient<T>(who: Account, use: (ch: ClickHouse) => Promise<T>): Promise<T> {
  const ch = client(who);
  try {
    return await use(ch);
  } finally {
    await ch.close();
  }
}

// ClickHouse's codes for the refusals this test expects.
const READONLY = 164;
const DDL_PROHIBITED = 392;
const ACCESS_DENIED = 291;
const TOO_MANY_ROWS = 158;
const QUOTA_EXCEEDED = 201;
const UNKNOWN_USER = 192;

/** The analysts' account file as infra.sh wrote it before the service accounts (password `analyst`). */
const LEGACY_ANALYST_FILE = `<?xml version="1.0"?>
<yandex>
    <profiles>
        <recstream_analyst>
            <profile>default</profile>
            <readonly>1</readonly>
        </recstream_analyst>
    </profiles>
    <users>
        <analyst>
            <password_sha256_hex>f44ceb062e35dfeea6ed7f8524d53bb0bff19f553e25cae7ef4850e4185ccbba</password_sha256_hex>
            <networks>
                <ip>127.0.0.1</ip>
                <ip>::1</ip>
            </networks>
            <profile>recstream_analyst</profile>
            <quota>default</quota>
            <allow_databases>
                <database>recstream</database>
            </allow_databases>
        </analyst>
    </users>
</yandex>
`;

/** Turns the stopped instance back into an install written before the accounts existed. */
async function makeLegacyInstall(): Promise<void> {
  await rm(path.join(instanceDir, 'secrets'), { recursive: true, force: true });
  await rm(path.join(usersD, 'recstream-users.xml'), { force: true });
  await writeFile(path.join(usersD, 'recstream-analyst.xml'), LEGACY_ANALYST_FILE);
}

/** Starts the server on the legacy install as the previous infra.sh did, without rewriting anything. */
async function launchLegacyServer(): Promise<void> {
  const server = existsSync('/usr/sbin/clickhouse-server')
    ? '/usr/sbin/clickhouse-server'
    : 'clickhouse-server';
  const log = openSync(path.join(instanceDir, 'log', 'clickhouse.log'), 'a');
  const child = spawn(server, [`--config-file=${confDir}/config.xml`], {
    detached: true,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  child.unref();
  await writeFile(path.join(instanceDir, 'run', 'clickhouse.pid'), `${child.pid}\n`);
  for (let i = 0; i < 100; i++) {
    if ((await run({ user: 'default', password: '' }, 'SELECT 1').catch(() => null))?.code === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('the legacy server did not answer');
}

t.setTimeout(180_000);

t.teardown(async () => {
  await infra(['stop', 'clickhouse']);
  await rm(instanceDir, { recursive: true, force: true });
});

t.test('a fresh instance gets one generated password per account, readable by its owner only', async (tt) => {
  await infraOk(tt, ['start', 'clickhouse']);
  env = await envOf(tt);
  const roles = ['admin', 'sink', 'feature', 'trainer', 'serving', 'analyst'] as const;
  const passwords = roles.map((role) => account(role).password);
  for (const [i, role] of roles.entries()) {
    tt.match(passwords[i], /^[0-9a-f]{32}$/, `${role}: 128 random bits`);
  }
  tt.equal(new Set(passwords).size, roles.length, 'no two accounts share a password');
  tt.equal(new Set(roles.map((role) => account(role).user)).size, roles.length, 'one user per account');
  tt.not(account('admin').user, 'default', 'the admin is not the packaged default user');
  tt.equal((await stat(credentialsFile)).mode & 0o777, 0o600, 'the passwords file is 0600');
  tt.equal((await stat(path.dirname(credentialsFile))).mode & 0o777, 0o700, 'its folder is 0700');
  const stored = await readFile(credentialsFile, 'utf8');
  for (const password of passwords) tt.ok(stored.includes(password), 'env prints the stored passwords');
  const users = await readFile(path.join(usersD, 'recstream-users.xml'), 'utf8');
  for (const password of passwords) tt.notOk(users.includes(password), 'the users file holds hashes only');

  const again = await infraOk(tt, ['start', 'clickhouse']);
  tt.match(again.stderr, /already running/);
  await infraOk(tt, ['setup', 'clickhouse']);
  tt.same(await envOf(tt), env, 'setup and a second start keep the passwords');
});

t.test('no passwordless access, so a web page cannot send SQL to the port', async (tt) => {
  // What a page's fetch('http://127.0.0.1:8123/', {method: 'POST', body: 'DROP …'}) sends: no credentials.
  const anonymous = await run(null, 'SELECT 1');
  tt.equal(anonymous.code, UNKNOWN_USER, 'no user: refused', anonymous);
  for (const user of ['default', 'readonly']) {
    const answer = await run({ user, password: '' }, 'SELECT 1');
    tt.equal(answer.code, UNKNOWN_USER, `Debian's ${user} user is gone`, answer);
  }
  const wrong = await run({ ...account('admin'), password: 'analyst' }, 'SELECT 1');
  tt.not(wrong.code, 0, 'a wrong password is refused');
  tt.equal((await run(account('admin'), 'SELECT 1')).text, '1', 'the admin works');
});

t.test('the admin applies the migrations and may create databases', async (tt) => {
  const admin = account('admin');
  const server = client(admin, null);
  const inDatabase = client(admin);
  try {
    await runMigrations({
      server,
      inDatabase,
      database,
      dir: CLICKHOUSE_MIGRATIONS_DIR,
      logger: testLogger(),
    });
    await server.command(`CREATE DATABASE ${otherDatabase}`);
    await server.command(`CREATE TABLE ${otherDatabase}.t (x UInt8) ENGINE = Memory`);
  } finally {
    await server.close();
    await inDatabase.close();
  }
  tt.equal((await run(admin, `EXISTS TABLE ${database}.events`)).text, '1');
});

const day = new Date().toISOString().slice(0, 10);
const now = `${day} 12:00:00`;
function searchEvent(id: string): Record<string, unknown> {
  return {
    event_id: id,
    type: 'search',
    anonymous_id: 'a1',
    session_id: 's1',
    query: 'Red  Shoes',
    results_count: 4,
    source: 'test',
    event_time: now,
    received_at: now,
    event_date: day,
    kafka_partition: 0,
    kafka_offset: Number.parseInt(id.replace(/\D/g, ''), 10),
  };
}

/** The DDL a writer must not run, each with a table that exists (so only the refusal can fail it). */
const DDL = [
  'DROP TABLE events',
  'TRUNCATE TABLE events',
  'ALTER TABLE events DELETE WHERE 1',
  'ALTER TABLE events DROP PARTITION 197001',
  'RENAME TABLE items TO items_gone',
  'DETACH TABLE failed_events',
  'CREATE TABLE probe (x UInt8) ENGINE = Memory',
  'SET allow_ddl = 1',
];

t.test('the ingest sink inserts and deduplicates, and cannot drop or alter', async (tt) => {
  const sink = account('sink');
  await withClient(sink, async (ch) => {
    // What services/ingest/src/sink/sink.writers.ts does for each batch.
    const dedupEvents = createRowDeduplicator(ch, {
      table: 'events',
      idColumn: 'event_id',
      dateColumn: 'event_date',
    });
    const fresh = await dedupEvents([searchEvent('e1'), searchEvent('e2')]);
    tt.equal(fresh.length, 2);
    await ch.insert('events', fresh);
    tt.equal(
      (await dedupEvents([searchEvent('e2'), searchEvent('e3')])).length,
      1,
      'the lookup sees stored ids',
    );
    await ch.insert('items', [
      { item_id: 'i1', title: 'shoe', version: 1, updated_at: now, created_at: now },
    ]);
    const dedupFailed = createRowDeduplicator(ch, {
      table: 'failed_events',
      idColumn: 'dlq_position',
      dateColumn: 'failed_date',
      dateSlackDays: 0,
    });
    const parked = {
      failed_at: now,
      failed_date: day,
      step: 'validate',
      reason: 'r',
      dlq_position: 'dlq/0/1',
    };
    await ch.insert('failed_events', await dedupFailed([parked]));
  });
  const rollup = await run(account('admin'), `SELECT sum(searches) FROM ${database}.search_queries_agg`);
  tt.equal(rollup.text, '2', 'the materialized views fired on the sink insert');
  for (const statement of DDL) {
    const answer = await run(sink, statement, { database });
    tt.equal(answer.code, DDL_PROHIBITED, `refused: ${statement}`, answer);
  }
  tt.equal(
    (await run(account('admin'), `EXISTS TABLE ${database}.events`)).text,
    '1',
    'events is still there',
  );
  const other = await run(sink, `SELECT count() FROM ${otherDatabase}.t`);
  tt.equal(other.code, ACCESS_DENIED, 'another database is denied', other);
  const dropOther = await run(sink, `DROP DATABASE ${otherDatabase}`);
  tt.not(dropOther.code, 0, 'cannot drop another database', dropOther);
});

t.test(
  'ClickHouse 18.16: a writer can lift allow_ddl with a per-query setting (documented limit)',
  async (tt) => {
    // 18.16 checks allow_ddl on SET only; settings sent with a query (HTTP parameter, native client
    // option) are applied unchecked. Current releases refuse it (settings constraints). If this fails
    // after a server upgrade, the limit is gone: update infra/README.md and make this a refusal.
    const version = (await run(account('admin'), 'SELECT version()')).text;
    const answer = await run(account('sink'), 'CREATE TABLE lifted (x UInt8) ENGINE = Memory', {
      database,
      allow_ddl: '1',
    });
    if (version.startsWith('18.')) {
      tt.equal(answer.code, 0, `${version}: the setting lifts the restriction`, answer);
      await run(account('admin'), `DROP TABLE IF EXISTS ${database}.lifted`);
    } else {
      tt.equal(answer.code, DDL_PROHIBITED, `${version}: refused`, answer);
    }
  },
);

t.test('the feature rebuild and serving read, and cannot write', async (tt) => {
  const counted = await withClient(account('feature'), async (ch) => {
    let streamed = 0;
    for await (const chunk of readEventLog(ch)) streamed += chunk.length;
    return { ...(await countLoggedEvents(ch)), streamed };
  });
  tt.same(counted, { positioned: 2, unpositioned: 0, streamed: 2 }, 'the rebuild reads the log');
  const suggestions = await withClient(account('serving'), (ch) =>
    readPopularQueries(ch, { days: 7, limit: 10, nowMs: Date.now() }),
  );
  tt.same(suggestions, [{ text: 'red shoes', weight: 2 }], 'serving reads the search log');
  for (const role of ['feature', 'serving'] as const) {
    for (const statement of [
      "INSERT INTO events (event_id) VALUES ('x')",
      'DROP TABLE events',
      'SET readonly = 0',
    ]) {
      const answer = await run(account(role), statement, { database });
      tt.equal(answer.code, READONLY, `${role} refused: ${statement}`, answer);
    }
    const lift = await run(account(role), 'SELECT 1', { readonly: '0' });
    tt.equal(lift.code, READONLY, `${role} cannot lift readonly with a query setting`, lift);
    const other = await run(account(role), `SELECT count() FROM ${otherDatabase}.t`);
    tt.equal(other.code, ACCESS_DENIED, `${role}: another database is denied`, other);
  }
});

t.test('the trainer reads the log and writes its registry mirror, and cannot drop', async (tt) => {
  const trainer = account('trainer');
  await withClient(trainer, async (ch) => {
    const rows = await ch.queryWithTable<{ event_id: string }>(
      'SELECT event_id FROM events FINAL WHERE event_id IN (SELECT id FROM wanted) ORDER BY event_id',
      { name: 'wanted', column: 'id', values: ['e1', 'e2'] },
    );
    tt.same(rows, [{ event_id: 'e1' }, { event_id: 'e2' }], 'reads events with an external table');
    await createClickHouseMirror(ch, () => new Date()).decision({
      model: 'sequence',
      version: 'v1',
      liveVersion: null,
      action: 'publish',
      reason: 'first',
      holdoutCases: 0,
      tolerance: 0.02,
    });
    await ch.insert('model_versions', [{ model: 'sequence', version: 'v1', status: 'live', revision: 1 }]);
  });
  tt.equal((await run(trainer, 'SELECT count() FROM model_decisions', { database })).text, '1');
  for (const statement of ['DROP TABLE model_versions', 'TRUNCATE TABLE events']) {
    const answer = await run(trainer, statement, { database });
    tt.equal(answer.code, DDL_PROHIBITED, `refused: ${statement}`, answer);
  }
});

t.test('the analyst reads within limits and cannot write', async (tt) => {
  const analyst = account('analyst');
  tt.equal((await run(analyst, 'SELECT sum(searches) FROM search_queries', { database })).text, '2');
  const started = Date.now();
  const scan = await run(analyst, 'SELECT count() FROM system.numbers');
  tt.equal(scan.code, TOO_MANY_ROWS, 'an endless scan is stopped by max_rows_to_read', scan);
  tt.ok(Date.now() - started < 15_000, 'and stopped quickly', { ms: Date.now() - started });
  const settings = await run(
    analyst,
    `SELECT name, value FROM system.settings WHERE name IN ('readonly', 'max_execution_time',
       'max_rows_to_read', 'max_memory_usage', 'max_threads') ORDER BY name FORMAT JSONEachRow`,
  );
  const values = Object.fromEntries(
    settings.text.split('\n').map((line) => {
      const row = JSON.parse(line) as { name: string; value: string };
      return [row.name, Number(row.value)];
    }),
  );
  tt.equal(values['readonly'], 1);
  tt.ok(
    (values['max_execution_time'] ?? 0) > 0 && (values['max_execution_time'] ?? 0) <= 300,
    'a time limit',
    values,
  );
  tt.ok((values['max_rows_to_read'] ?? 0) > 0, 'a rows limit', values);
  tt.ok(
    (values['max_memory_usage'] ?? 0) > 0 && (values['max_memory_usage'] ?? 0) < 10e9,
    'less memory than the default',
    values,
  );
  for (const statement of [
    "INSERT INTO events (event_id) VALUES ('x')",
    'CREATE TABLE probe (x UInt8) ENGINE = Memory',
    'DROP TABLE events',
    'SELECT * FROM numbers(10)',
  ]) {
    const answer = await run(analyst, statement, { database });
    tt.equal(answer.code, READONLY, `refused: ${statement}`, answer);
  }
  const lift = await run(analyst, 'SELECT count() FROM system.numbers', { max_rows_to_read: '0' });
  tt.equal(lift.code, READONLY, 'cannot lift the limits with a query setting', lift);
  const other = await run(analyst, `SELECT count() FROM ${otherDatabase}.t`);
  tt.equal(other.code, ACCESS_DENIED, 'another database is denied', other);
});

t.test('the analyst has a quota: a flood of queries is cut off', async (tt) => {
  const analyst = account('analyst');
  let answer: Answer = { status: 200, code: 0, text: '' };
  let sent = 0;
  while (answer.code === 0 && sent < 1_000) {
    answer = await run(analyst, 'SELECT 1');
    sent += 1;
  }
  tt.equal(answer.code, QUOTA_EXCEEDED, 'refused by the quota', { sent, answer });
  tt.ok(sent <= 500, 'after a bounded number of queries', { sent });
  tt.equal((await run(account('sink'), 'SELECT 1')).code, 0, 'other accounts are not affected');
});

t.test('an install from before the accounts is upgraded by start, stopped or running', async (tt) => {
  await infraOk(tt, ['stop', 'clickhouse']);
  await makeLegacyInstall();
  await infraOk(tt, ['start', 'clickhouse']);
  env = await envOf(tt);
  tt.notOk(existsSync(path.join(usersD, 'recstream-analyst.xml')), 'the old analyst file is gone');
  tt.equal(
    (await run({ user: 'default', password: '' }, 'SELECT 1')).code,
    UNKNOWN_USER,
    'stopped: default gone',
  );
  tt.equal((await run(account('admin'), 'SELECT 1')).text, '1', 'stopped: the admin works');

  // Running: the server was started by the previous infra.sh and still has `default`.
  await infraOk(tt, ['stop', 'clickhouse']);
  await makeLegacyInstall();
  await launchLegacyServer();
  const legacyEnv = await envOf(tt);
  tt.equal(legacyEnv['REC_CLICKHOUSE_USER'], 'default', 'until upgraded, env prints what still works');
  tt.equal(legacyEnv['REC_CLICKHOUSE_SINK_USER'], 'default');
  tt.notOk(existsSync(credentialsFile), 'env alone does not switch a running legacy instance');
  const upgrade = await infraOk(tt, ['start', 'clickhouse']);
  tt.match(upgrade.stderr, /already running/);
  env = await envOf(tt);
  tt.not(env['REC_CLICKHOUSE_USER'], 'default');
  tt.equal(
    (await run(account('admin'), 'SELECT 1')).text,
    '1',
    'running: the admin works when start returns',
  );
  tt.equal(
    (await run({ user: 'default', password: '' }, 'SELECT 1')).code,
    UNKNOWN_USER,
    'running: default gone',
  );
  tt.equal(
    (await run(account('analyst'), 'SELECT 1')).text,
    '1',
    'running: the analyst has its new password',
  );
  tt.notOk(existsSync(path.join(usersD, 'recstream-analyst.xml')), 'the old analyst file is gone');

  const before = (await stat(path.join(usersD, 'recstream-users.xml'))).mtimeMs;
  await infraOk(tt, ['start', 'clickhouse']);
  tt.equal(
    (await stat(path.join(usersD, 'recstream-users.xml'))).mtimeMs,
    before,
    'a third start rewrites nothing',
  );
});
