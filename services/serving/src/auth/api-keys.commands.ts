/**
 * The `serving-keys` commands (create, list, revoke) over an API-key store, with their output and
 * exit codes; `cli/serving-keys.ts` wires them to Redis and the process. The secret is printed
 * once, by `create`, alone on stdout so scripts can capture it (`KEY=$(pnpm -s serving-keys create …)`);
 * everything else names keys by their id (first 8 hex characters of the hash).
 *
 * Exit codes: 0 done, 1 Redis unavailable or an unexpected failure, 2 bad arguments or input.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { PermanentError, TransientError, errorMessage } from '@recstream/errors';
import { API_SCOPES, keyId, type ApiKeyRecord, type ApiScope } from './api-key.js';
import type { ApiKeyStore } from './api-key.store.js';

export interface ServingKeysCliDeps {
  readonly store: ApiKeyStore;
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

function describe(record: ApiKeyRecord) {
  return {
    id: keyId(record.hash),
    name: record.name,
    scope: record.scope,
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

function buildProgram(deps: ServingKeysCliDeps): Command {
  const now = deps.now ?? (() => new Date());
  const program = new Command()
    .name('serving-keys')
    .description(
      'Issue, list and revoke the API keys callers of serving send (Authorization: Bearer, or x-api-key).',
    )
    .exitOverride()
    .configureOutput({
      writeOut: (text) => deps.out(text.trimEnd()),
      writeErr: (text) => deps.err(text.trimEnd()),
    })
    .showHelpAfterError();

  program
    .command('create')
    .description('issue a key; the key is printed once, on stdout')
    .requiredOption('--name <name>', 'who uses it, for people (e.g. shop-web, email-campaigns)')
    .addOption(
      new Option('--scope <scope>', 'read: recommendations; admin: also /v1/admin/*')
        .choices(API_SCOPES)
        .default('read'),
    )
    .requiredOption(
      '--rate <requests/s>',
      'sustained limit in requests per second (a batch costs one per shopper)',
      positiveInt,
    )
    .option('--burst <requests>', 'most requests at once after idling (default: twice the rate)', positiveInt)
    .option('--json', 'print the key and its record as JSON on stdout')
    .action(
      async (options: { name: string; scope: ApiScope; rate: number; burst?: number; json?: boolean }) => {
        const limit = { ratePerSecond: options.rate, burst: options.burst ?? 2 * options.rate };
        const { key, record } = await deps.store.create({
          name: options.name,
          scope: options.scope,
          limit,
          now: now(),
        });
        if (options.json === true) {
          deps.out(JSON.stringify({ key, ...describe(record) }));
          return;
        }
        deps.out(key);
        deps.err(
          `created API key ${keyId(record.hash)} "${record.name}" with scope ${record.scope}: ${limit.ratePerSecond} requests/s, burst ${limit.burst}`,
        );
        deps.err(
          'store it now: it is shown only this once; callers send it as `Authorization: Bearer <key>`',
        );
      },
    );

  program
    .command('list')
    .description('list keys (never their secrets), active and revoked')
    .option('--json', 'one JSON object per key on stdout')
    .action(async (options: { json?: boolean }) => {
      const records = await deps.store.list();
      if (options.json === true) {
        for (const record of records) deps.out(JSON.stringify(describe(record)));
        return;
      }
      if (records.length === 0) {
        deps.err('no API keys yet: create one with `serving-keys create --name <name> --rate <requests/s>`');
        return;
      }
      const rows = records.map((record) => {
        const d = describe(record);
        return [
          d.id,
          d.name,
          d.scope,
          String(d.rate_per_second),
          String(d.burst),
          d.created_at,
          d.revoked_at === null ? 'active' : `revoked ${d.revoked_at}`,
        ];
      });
      for (const line of table([['ID', 'NAME', 'SCOPE', 'RATE/S', 'BURST', 'CREATED', 'STATUS'], ...rows]))
        deps.out(line);
    });

  program
    .command('revoke')
    .description('revoke a key: serving refuses it once its cache expires (REC_SERVING_API_KEY_CACHE_MS)')
    .argument(
      '<key-id-or-prefix>',
      'the key id that `list` shows, a longer prefix of its hash, or the key itself',
    )
    .action(async (reference: string) => {
      const record = await deps.store.revoke(reference, now());
      deps.err(
        `revoked API key ${keyId(record.hash)} "${record.name}" at ${record.revokedAt?.toISOString() ?? '?'}; serving refuses it within its cache time (REC_SERVING_API_KEY_CACHE_MS, 5 s by default)`,
      );
    });

  return program;
}

/** Runs the command line `args` (without `node` and the script); resolves with the exit code. */
export async function runServingKeys(args: readonly string[], deps: ServingKeysCliDeps): Promise<number> {
  try {
    await buildProgram(deps).parseAsync([...args], { from: 'user' });
    return 0;
  } catch (error) {
    // Commander has already printed its usage errors (and help, which is not a failure).
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof PermanentError) {
      deps.err(`serving-keys: ${error.message}`);
      return 2;
    }
    deps.err(
      error instanceof TransientError
        ? `serving-keys: ${error.message} (is Redis running? check REC_REDIS_URL)`
        : `serving-keys: unexpected failure: ${errorMessage(error)}`,
    );
    return 1;
  }
}
