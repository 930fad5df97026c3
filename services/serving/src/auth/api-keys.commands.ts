/**
 * The `serving-keys` commands (create, list, revoke): @recstream/access-keys' key command with the
 * API-key kind's words and options; `cli/serving-keys.ts` wires them to Redis and the process.
 */
import { Option } from 'commander';
import { runKeysCommand, type KeysCommandDeps, type KeysCommandSpec } from '@recstream/access-keys';
import { API_SCOPES, keyId, type ApiKeyFields, type ApiKeyRecord, type ApiScope } from './api-key.js';

export type ServingKeysCliDeps = KeysCommandDeps<ApiKeyRecord, ApiKeyFields>;

const SERVING_KEYS_COMMAND: KeysCommandSpec<ApiKeyRecord, ApiKeyFields> = {
  name: 'serving-keys',
  description:
    'Issue, list and revoke the API keys callers of serving send (Authorization: Bearer, or x-api-key).',
  create: {
    description: 'issue a key; the key is printed once, on stdout',
    options: (command) =>
      command
        .requiredOption('--name <name>', 'who uses it, for people (e.g. shop-web, email-campaigns)')
        .addOption(
          new Option('--scope <scope>', 'read: recommendations; admin: also /v1/admin/*')
            .choices(API_SCOPES)
            .default('read'),
        ),
    rate: ['--rate <requests/s>', 'sustained limit in requests per second (a batch costs one per shopper)'],
    burst: ['--burst <requests>', 'most requests at once after idling (default: twice the rate)'],
    defaultBurst: (rate) => 2 * rate,
    input: (options) => ({ name: options['name'] as string, scope: options['scope'] as ApiScope }),
    created: (record) => [
      `created API key ${keyId(record.hash)} "${record.name}" with scope ${record.scope}: ${record.limit.ratePerSecond} requests/s, burst ${record.limit.burst}`,
      'store it now: it is shown only this once; callers send it as `Authorization: Bearer <key>`',
    ],
  },
  list: {
    empty: 'no API keys yet: create one with `serving-keys create --name <name> --rate <requests/s>`',
    columns: [
      { header: 'NAME', cell: (record) => record.name },
      { header: 'SCOPE', cell: (record) => record.scope },
    ],
  },
  revoke: {
    description: 'revoke a key: serving refuses it once its cache expires (REC_SERVING_API_KEY_CACHE_MS)',
    revoked: (record) =>
      `revoked API key ${keyId(record.hash)} "${record.name}" at ${record.revokedAt?.toISOString() ?? '?'}; serving refuses it within its cache time (REC_SERVING_API_KEY_CACHE_MS, 5 s by default)`,
  },
  describe: (record) => ({ name: record.name, scope: record.scope }),
};

/** Runs the command line `args` (without `node` and the script); resolves with the exit code. */
export function runServingKeys(args: readonly string[], deps: ServingKeysCliDeps): Promise<number> {
  return runKeysCommand(SERVING_KEYS_COMMAND, args, deps);
}
