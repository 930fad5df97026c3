/**
 * Applies the numbered SQL migrations (`NNNN_name.sql`) in order, each at most once per database.
 *
 * Run before services start (services never run DDL). Idempotent: applied versions are recorded in
 * `schema_migrations` with a checksum; a changed file that was already applied is an error, because
 * production databases would silently diverge from what the repository says.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ERROR_CODES, PermanentError } from '@recstream/errors';
import type { Logger } from '@recstream/logger';
import type { ClickHouse } from './client.js';
import { ident, sql } from './sql.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly checksum: string;
  readonly statements: readonly string[];
}

const FILE_PATTERN = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** Splits a file into statements at semicolons that end a line; comment-only chunks are skipped. */
export function splitStatements(text: string): string[] {
  return text
    .split(/;[ \t]*(?:\r?\n|$)/)
    .map((chunk) => chunk.trim())
    .filter((chunk) => chunk.split('\n').some((line) => line.trim() !== '' && !line.trim().startsWith('--')));
}

export async function readMigrations(dir: string): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = FILE_PATTERN.exec(file);
    if (match === null) {
      throw new PermanentError(
        ERROR_CODES.migration,
        `migration file name must look like 0001_name.sql: ${file}`,
      );
    }
    const text = await readFile(join(dir, file), 'utf8');
    const version = Number(match[1]);
    if (migrations.some((m) => m.version === version)) {
      throw new PermanentError(ERROR_CODES.migration, `two migrations share version ${version}`);
    }
    migrations.push({
      version,
      name: match[2] ?? file,
      checksum: createHash('sha256').update(text).digest('hex'),
      statements: splitStatements(text),
    });
  }
  return migrations;
}

export interface MigrationReport {
  readonly applied: number[];
  readonly alreadyApplied: number[];
}

/**
 * `server` must be a client without a default database (it creates `database`); statements then
 * run through `inDatabase`, a client whose default database is `database`.
 */
export async function runMigrations(deps: {
  server: ClickHouse;
  inDatabase: ClickHouse;
  database: string;
  dir: string;
  logger: Logger;
}): Promise<MigrationReport> {
  const { server, inDatabase, database, logger } = deps;
  await server.command(sql`CREATE DATABASE IF NOT EXISTS ${ident(database)}`);
  await inDatabase.command(`CREATE TABLE IF NOT EXISTS schema_migrations
    (version UInt32, name String, checksum String, applied_at DateTime)
    ENGINE = ReplacingMergeTree(applied_at) ORDER BY version`);
  const rows = await inDatabase.query<{ version: number; checksum: string }>(
    'SELECT version, any(checksum) AS checksum FROM schema_migrations GROUP BY version',
  );
  const applied = new Map(rows.map((row) => [Number(row.version), row.checksum]));
  const report = { applied: [] as number[], alreadyApplied: [] as number[] };

  for (const migration of await readMigrations(deps.dir)) {
    const recorded = applied.get(migration.version);
    if (recorded !== undefined) {
      if (recorded !== migration.checksum) {
        throw new PermanentError(
          ERROR_CODES.migration,
          `migration ${migration.version}_${migration.name} changed after it was applied to ${database}; add a new migration instead`,
        );
      }
      report.alreadyApplied.push(migration.version);
      continue;
    }
    logger.info({ database, version: migration.version, migration: migration.name }, 'applying migration');
    for (const statement of migration.statements) await inDatabase.command(statement);
    await inDatabase.command(
      sql`INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (${migration.version}, ${migration.name}, ${migration.checksum}, now())`,
    );
    report.applied.push(migration.version);
  }
  return report;
}
