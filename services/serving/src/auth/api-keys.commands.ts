/**
 * The `serving-keys` commands (create, list, revoke) over an API-key store; `cli/serving-keys.ts`
 * wires them to Redis and the process. Output and exit codes follow @recstream/access-keys'
 * `keysCommand`: the secret alone on stdout, once (`KEY=$(pnpm -s serving-keys create …)`).
 */
import { Option } from 'commander';
import { describeKey, keysCommand, positiveInt, printKeys, type KeysCommandIo } from '@recstream/access-keys';
import { API_SCOPES, keyId, type ApiKeyRecord, type ApiScope } from './api-key.js';
import type { ApiKeyStore } from './api-key.store.js';

export interface ServingKeysCliDeps extends KeysCommandIo {
  readonly store: ApiKeyStore;
  readonly now?: () => Date;
}

function describe(record: ApiKeyRecord) {
  const { id, ...common } = describeKey(record);
  return { id, name: record.name, scope: record.scope, ...common };
}

/** Runs the command line `args` (without `node` and the script); resolves with the exit code. */
export function runServingKeys(args: readonly string[], deps: ServingKeysCliDeps): Promise<number> {
  const now = deps.now ?? (() => new Date());
  const { program, run } = keysCommand(
    'serving-keys',
    'Issue, list and revoke the API keys callers of serving send (Authorization: Bearer, or x-api-key).',
    deps,
  );

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
      const json = options.json === true;
      if (records.length === 0 && !json) {
        deps.err('no API keys yet: create one with `serving-keys create --name <name> --rate <requests/s>`');
        return;
      }
      const columns = [
        { header: 'NAME', cell: (record: ApiKeyRecord) => record.name },
        { header: 'SCOPE', cell: (record: ApiKeyRecord) => record.scope },
      ];
      printKeys(records, { json, columns, describe }, deps);
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

  return run(args);
}
