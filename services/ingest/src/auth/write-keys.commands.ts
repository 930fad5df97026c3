/**
 * The `write-keys` commands (create, list, revoke) over a write-key store; `cli/write-keys.ts`
 * wires them to Redis and the process. Output and exit codes follow @recstream/access-keys'
 * `keysCommand`: the secret alone on stdout, once (`KEY=$(pnpm -s write-keys create …)`).
 */
import { Option } from 'commander';
import { describeKey, keysCommand, positiveInt, printKeys, type KeysCommandIo } from '@recstream/access-keys';
import {
  WRITE_KEY_KINDS,
  keyId,
  type WriteKeyKind,
  type WriteKeyRecord,
  type WriteScope,
} from './write-key.js';
import type { WriteKeyStore } from './write-key.store.js';

/**
 * A fresh key can send one full batch of the collector's default maximum (1000 events) even when
 * its rate is lower; a burst below that makes such batches fail with 413.
 */
export const MIN_DEFAULT_BURST = 1000;

export interface WriteKeysCliDeps extends KeysCommandIo {
  readonly store: WriteKeyStore;
  readonly now?: () => Date;
}

function describe(record: WriteKeyRecord) {
  const { id, ...common } = describeKey(record);
  return { id, source: record.source, kind: record.kind, scopes: record.scopes, ...common };
}

/** `--scope events,catalog` or `--scope events --scope catalog`; checked by the store. */
function scopeList(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').map((scope) => scope.trim())];
}

/** Runs the command line `args` (without `node` and the script); resolves with the exit code. */
export function runWriteKeys(args: readonly string[], deps: WriteKeysCliDeps): Promise<number> {
  const now = deps.now ?? (() => new Date());
  const { program, run } = keysCommand(
    'write-keys',
    'Issue, list and revoke the write keys that sources send to the ingest collector (x-write-key).',
    deps,
  );

  program
    .command('create')
    .description('issue a key for a source; the key is printed once, on stdout')
    .requiredOption('--source <name>', "the source, written into its events' source field (e.g. web, ios)")
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
    )
    .requiredOption('--rate <events/s>', 'sustained limit, in events (or items) per second', positiveInt)
    .option(
      '--burst <events>',
      `most events at once after idling (default: the rate, at least ${MIN_DEFAULT_BURST})`,
      positiveInt,
    )
    .option('--json', 'print the key and its record as JSON on stdout')
    .action(
      async (options: {
        source: string;
        kind: WriteKeyKind;
        scope?: string[];
        rate: number;
        burst?: number;
        json?: boolean;
      }) => {
        const limit = {
          ratePerSecond: options.rate,
          burst: options.burst ?? Math.max(options.rate, MIN_DEFAULT_BURST),
        };
        const { key, record } = await deps.store.create({
          source: options.source,
          kind: options.kind,
          // Unknown names are refused by the store, with the others' problems.
          scopes: (options.scope ?? ['events']) as WriteScope[],
          limit,
          now: now(),
        });
        if (options.json === true) {
          deps.out(JSON.stringify({ key, ...describe(record) }));
          return;
        }
        deps.out(key);
        deps.err(
          `created write key ${keyId(record.hash)} for source ${record.source} (${record.kind} key, scopes ${record.scopes.join(',')}): ${limit.ratePerSecond} events/s, burst ${limit.burst}`,
        );
        if (record.kind === 'browser')
          deps.err(
            'a browser key sends events only, and each client (address) using it is also limited by the collector (REC_INGEST_CLIENT_RATE, REC_INGEST_CLIENT_BURST)',
          );
        deps.err('store it now: it is shown only this once; clients send it in the x-write-key header');
      },
    );

  program
    .command('list')
    .description('list keys (never their secrets), active and revoked')
    .option('--source <name>', 'only the keys of this source')
    .option('--json', 'one JSON object per key on stdout')
    .action(async (options: { source?: string; json?: boolean }) => {
      const records = await deps.store.list(options.source === undefined ? {} : { source: options.source });
      const json = options.json === true;
      if (records.length === 0 && !json) {
        deps.err(
          'no write keys yet: create one with `write-keys create --kind <browser|server> --source <name> --rate <events/s>`',
        );
        return;
      }
      const columns = [
        { header: 'SOURCE', cell: (record: WriteKeyRecord) => record.source },
        { header: 'KIND', cell: (record: WriteKeyRecord) => record.kind },
        { header: 'SCOPES', cell: (record: WriteKeyRecord) => record.scopes.join(',') },
      ];
      printKeys(records, { json, columns, describe }, deps);
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

  return run(args);
}
