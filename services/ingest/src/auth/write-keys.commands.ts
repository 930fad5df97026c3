/**
 * The `write-keys` commands (create, list, revoke) over a write-key store, with their output and
 * exit codes; `cli/write-keys.ts` wires them to Redis and the process. The secret is printed once,
 * by `create`, alone on stdout so scripts can capture it (`KEY=$(pnpm -s write-keys create …)`);
 * everything else identifies keys by their id (first 8 hex characters of the hash).
 *
 * Exit codes: 0 done, 1 Redis unavailable or an unexpected failure, 2 bad arguments or input.
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { PermanentError, TransientError, errorMessage } from '@recstream/errors';
import { keyId, type WriteKeyRecord } from './write-key.js';
import type { WriteKeyStore } from './write-key.store.js';

/**
 * A fresh key can send one full batch of the collector's default maximum (1000 events) even when
 * its rate is lower; a burst below that makes such batches fail with 413.
 */
export const MIN_DEFAULT_BURST = 1000;

export interface WriteKeysCliDeps {
  readonly store: WriteKeyStore;
  /** stdout: the secret, `list` and `--json` output. */
  readonly out: (line: string) => void;
  /** stderr: confirmations, hints, errors. */
  readonly err: (line: string) => void;
  readonly now?: () => Date;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number, at least 1');
  return n;
}

function describe(record: WriteKeyRecord) {
  return {
    id: keyId(record.hash),
    source: record.source,
    rate_per_second: record.limit.ratePerSecond,
    burst: record.limit.burst,
    created_at: record.createdAt.toISOString(),
    revoked_at: record.revokedAt?.toISOString() ?? null,
  };
}

function table(rows: readonly (readonly string[])[]): string[] {
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}

function buildProgram(deps: WriteKeysCliDeps): Command {
  const now = deps.now ?? (() => new Date());
  const program = new Command()
    .name('write-keys')
    .description(
      'Issue, list and revoke the write keys that sources send to the ingest collector (x-write-key).',
    )
    .exitOverride()
    .configureOutput({
      writeOut: (text) => deps.out(text.trimEnd()),
      writeErr: (text) => deps.err(text.trimEnd()),
    })
    .showHelpAfterError();

  program
    .command('create')
    .description('issue a key for a source; the key is printed once, on stdout')
    .requiredOption('--source <name>', "the source, written into its events' source field (e.g. web, ios)")
    .requiredOption('--rate <events/s>', 'sustained limit, in events (or items) per second', positiveInt)
    .option(
      '--burst <events>',
      `most events at once after idling (default: the rate, at least ${MIN_DEFAULT_BURST})`,
      positiveInt,
    )
    .option('--json', 'print the key and its record as JSON on stdout')
    .action(async (options: { source: string; rate: number; burst?: number; json?: boolean }) => {
      const limit = {
        ratePerSecond: options.rate,
        burst: options.burst ?? Math.max(options.rate, MIN_DEFAULT_BURST),
      };
      const { key, record } = await deps.store.create({ source: options.source, limit, now: now() });
      if (options.json === true) {
        deps.out(JSON.stringify({ key, ...describe(record) }));
        return;
      }
      deps.out(key);
      deps.err(
        `created write key ${keyId(record.hash)} for source ${record.source}: ${limit.ratePerSecond} events/s, burst ${limit.burst}`,
      );
      deps.err('store it now: it is shown only this once; clients send it in the x-write-key header');
    });

  program
    .command('list')
    .description('list keys (never their secrets), active and revoked')
    .option('--source <name>', 'only the keys of this source')
    .option('--json', 'one JSON object per key on stdout')
    .action(async (options: { source?: string; json?: boolean }) => {
      const records = await deps.store.list(options.source === undefined ? {} : { source: options.source });
      if (options.json === true) {
        for (const record of records) deps.out(JSON.stringify(describe(record)));
        return;
      }
      if (records.length === 0) {
        deps.err('no write keys yet: create one with `write-keys create --source <name> --rate <events/s>`');
        return;
      }
      const rows = records.map((record) => {
        const d = describe(record);
        return [
          d.id,
          d.source,
          String(d.rate_per_second),
          String(d.burst),
          d.created_at,
          d.revoked_at === null ? 'active' : `revoked ${d.revoked_at}`,
        ];
      });
      for (const line of table([['ID', 'SOURCE', 'RATE/S', 'BURST', 'CREATED', 'STATUS'], ...rows]))
        deps.out(line);
    });

  program
    .command('revoke')
    .description(
      'revoke a key: collectors refuse it once their cache expires (REC_INGEST_WRITE_KEY_CACHE_MS)',
    )
    .argument(
      '<key-id-or-prefix>',
      'the key id that `list` shows, a longer prefix of its hash, or the key itself',
    )
    .action(async (reference: string) => {
      const record = await deps.store.revoke(reference, now());
      deps.err(
        `revoked write key ${keyId(record.hash)} of source ${record.source} at ${record.revokedAt?.toISOString() ?? '?'}; collectors refuse it within their cache time (REC_INGEST_WRITE_KEY_CACHE_MS, 5 s by default)`,
      );
    });

  return program;
}

/** Runs the command line `args` (without `node` and the script); resolves with the exit code. */
export async function runWriteKeys(args: readonly string[], deps: WriteKeysCliDeps): Promise<number> {
  try {
    await buildProgram(deps).parseAsync([...args], { from: 'user' });
    return 0;
  } catch (error) {
    // Commander has already printed its usage errors (and help, which is not a failure).
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof PermanentError) {
      deps.err(`write-keys: ${error.message}`);
      return 2;
    }
    deps.err(
      error instanceof TransientError
        ? `write-keys: ${error.message} (is Redis running? check REC_REDIS_URL)`
        : `write-keys: unexpected failure: ${errorMessage(error)}`,
    );
    return 1;
  }
}
