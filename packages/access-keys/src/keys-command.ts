/**
 * The frame of a key-management command (`write-keys`, `serving-keys`): a commander program whose
 * output goes to the given stdout and stderr writers, and its exit codes. The secret is printed
 * once, by `create`, alone on stdout so scripts can capture it; everything else names keys by
 * their id (the first 8 hex characters of the hash).
 *
 * Exit codes: 0 done, 1 Redis unavailable or an unexpected failure, 2 bad arguments or input.
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { PermanentError, TransientError, errorMessage } from '@recstream/errors';
import type { KeyRecordBase } from './key-records.js';
import { keyId } from './secret.js';

export interface KeysCommandIo {
  /** stdout: the secret, `list` and `--json` output. */
  readonly out: (line: string) => void;
  /** stderr: confirmations, hints, errors. */
  readonly err: (line: string) => void;
}

/** Parses an option that must be a whole number, at least 1. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number, at least 1');
  return n;
}

/** Rows as aligned columns, two spaces apart. */
export function table(rows: readonly (readonly string[])[]): string[] {
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}

/** The fields every key shows in `list` and `--json` (services add their own). */
export function describeKey(record: KeyRecordBase) {
  return {
    id: keyId(record.hash),
    rate_per_second: record.limit.ratePerSecond,
    burst: record.limit.burst,
    created_at: record.createdAt.toISOString(),
    revoked_at: record.revokedAt?.toISOString() ?? null,
  };
}

/** A column of `list` that is a service's own (SOURCE, NAME, SCOPE). */
export interface KeyColumn<R> {
  readonly header: string;
  readonly cell: (record: R) => string;
}

/**
 * Prints `list`'s output: one JSON object per key (`describe`) with `--json`, else a table of the
 * key id, the service's own columns, the limit, the creation time and the status.
 */
export function printKeys<R extends KeyRecordBase>(
  records: readonly R[],
  options: { json: boolean; columns: readonly KeyColumn<R>[]; describe: (record: R) => object },
  io: KeysCommandIo,
): void {
  if (options.json) {
    for (const record of records) io.out(JSON.stringify(options.describe(record)));
    return;
  }
  const rows = records.map((record) => [
    keyId(record.hash),
    ...options.columns.map((column) => column.cell(record)),
    String(record.limit.ratePerSecond),
    String(record.limit.burst),
    record.createdAt.toISOString(),
    record.revokedAt === undefined ? 'active' : `revoked ${record.revokedAt.toISOString()}`,
  ]);
  const headers = [
    'ID',
    ...options.columns.map((column) => column.header),
    'RATE/S',
    'BURST',
    'CREATED',
    'STATUS',
  ];
  for (const line of table([headers, ...rows])) io.out(line);
}

/** A key-management command: a commander program writing through `io`, and how to run it. */
export interface KeysCommand {
  readonly program: Command;
  /** Runs the command line `args` (without `node` and the script); resolves with the exit code. */
  readonly run: (args: readonly string[]) => Promise<number>;
}

/**
 * An empty command named `name` (its subcommands are the service's), writing through `io` and
 * throwing instead of exiting; `run` turns the outcome into the exit code.
 */
export function keysCommand(name: string, description: string, io: KeysCommandIo): KeysCommand {
  const program = new Command()
    .name(name)
    .description(description)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.out(text.trimEnd()),
      writeErr: (text) => io.err(text.trimEnd()),
    })
    .showHelpAfterError();
  return {
    program,
    run: async (args) => {
      try {
        await program.parseAsync([...args], { from: 'user' });
        return 0;
      } catch (error) {
        // Commander has already printed its usage errors (and help, which is not a failure).
        if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
        if (error instanceof PermanentError) {
          io.err(`${name}: ${error.message}`);
          return 2;
        }
        io.err(
          error instanceof TransientError
            ? `${name}: ${error.message} (is Redis running? check REC_REDIS_URL)`
            : `${name}: unexpected failure: ${errorMessage(error)}`,
        );
        return 1;
      }
    },
  };
}
