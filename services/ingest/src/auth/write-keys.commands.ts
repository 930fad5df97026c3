/**
 * The `write-keys` commands (create, list, revoke): @recstream/access-keys' key command with the
 * write-key kind's words and options; `cli/write-keys.ts` wires them to Redis and the process.
 */
import { Option } from 'commander';
import { runKeysCommand, type KeysCommandDeps, type KeysCommandSpec } from '@recstream/access-keys';
import {
  WRITE_KEY_KINDS,
  keyId,
  type WriteKeyFields,
  type WriteKeyRecord,
  type WriteScope,
} from './write-key.js';

/**
 * A fresh key can send one full batch of the collector's default maximum (1000 events) even when
 * its rate is lower; a burst below that makes such batches fail with 413.
 */
export const MIN_DEFAULT_BURST = 1000;

export type WriteKeysCliDeps = KeysCommandDeps<WriteKeyRecord, WriteKeyFields>;

/** `--scope events,catalog` or `--scope events --scope catalog`; checked by the store. */
function scopeList(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').map((scope) => scope.trim())];
}

const WRITE_KEYS_COMMAND: KeysCommandSpec<WriteKeyRecord, WriteKeyFields> = {
  name: 'write-keys',
  description:
    'Issue, list and revoke the write keys that sources send to the ingest collector (x-write-key).',
  create: {
    description: 'issue a key for a source; the key is printed once, on stdout',
    options: (command) =>
      command
        .requiredOption(
          '--source <name>',
          "the source, written into its events' source field (e.g. web, ios)",
        )
        .addOption(
          new Option(
            '--kind <kind>',
            'browser: public (page JavaScript, a mobile app), events only, each client limited within the key (REC_INGEST_CLIENT_RATE); server: held by your backend',
          )
            .choices(WRITE_KEY_KINDS)
            .makeOptionMandatory(),
        )
        .option(
          '--scope <scopes>',
          'what the key may send: events (POST /v1/events), catalog (the item routes; server keys only), or events,catalog (default: events)',
          scopeList,
        ),
    rate: ['--rate <events/s>', 'sustained limit, in events (or items) per second'],
    burst: [
      '--burst <events>',
      `most events at once after idling (default: the rate, at least ${MIN_DEFAULT_BURST})`,
    ],
    defaultBurst: (rate) => Math.max(rate, MIN_DEFAULT_BURST),
    input: (options) => ({
      source: options['source'] as string,
      kind: options['kind'] as WriteKeyFields['kind'] & string,
      // Unknown names are refused by the store, with the others' problems.
      scopes: (options['scope'] ?? ['events']) as WriteScope[],
    }),
    created: (record) => [
      `created write key ${keyId(record.hash)} for source ${record.source} (${record.kind} key, scopes ${record.scopes.join(',')}): ${record.limit.ratePerSecond} events/s, burst ${record.limit.burst}`,
      ...(record.kind === 'browser'
        ? [
            'a browser key sends events only, and each client (address) using it is also limited by the collector (REC_INGEST_CLIENT_RATE, REC_INGEST_CLIENT_BURST)',
          ]
        : []),
      'store it now: it is shown only this once; clients send it in the x-write-key header',
    ],
  },
  list: {
    options: (command) => command.option('--source <name>', 'only the keys of this source'),
    group: (options) => options['source'] as string | undefined,
    empty:
      'no write keys yet: create one with `write-keys create --kind <browser|server> --source <name> --rate <events/s>`',
    columns: [
      { header: 'SOURCE', cell: (record) => record.source },
      { header: 'KIND', cell: (record) => record.kind },
      { header: 'SCOPES', cell: (record) => record.scopes.join(',') },
    ],
  },
  revoke: {
    description:
      'revoke a key: collectors refuse it once their cache expires (REC_INGEST_WRITE_KEY_CACHE_MS)',
    revoked: (record) =>
      `revoked write key ${keyId(record.hash)} of source ${record.source} at ${record.revokedAt?.toISOString() ?? '?'}; collectors refuse it within their cache time (REC_INGEST_WRITE_KEY_CACHE_MS, 5 s by default)`,
  },
  describe: (record) => ({ source: record.source, kind: record.kind, scopes: record.scopes }),
};

/** Runs the command line `args` (without `node` and the script); resolves with the exit code. */
export function runWriteKeys(args: readonly string[], deps: WriteKeysCliDeps): Promise<number> {
  return runKeysCommand(WRITE_KEYS_COMMAND, args, deps);
}
