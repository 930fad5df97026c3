/**
 * The key-management commands (`write-keys`, `serving-keys`): one frame, a commander program whose
 * output goes to the given stdout and stderr writers, and its exit codes; each kind brings its
 * words and its own options (`KeysCommandSpec`). The secret is printed
 * once, by `create`, alone on stdout so scripts can capture it; everything else names keys by
 * their id (the first 8 hex characters of the hash).
 *
 * Exit codes: 0 done, 1 Redis unavailable or an unexpected failure, 2 bad arguments or input.
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { PermanentError, TransientError, errorMessage } from '@recstream/errors';
import type { KeyRecordBase, KeyStore } from './key-store.js';
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

/** A kind's key-management command: its words and its own options; the frame is shared. */
export interface KeysCommandSpec<R extends KeyRecordBase, I> {
  /** `write-keys`, `serving-keys`. */
  readonly name: string;
  readonly description: string;
  readonly create: {
    readonly description: string;
    /** Adds the kind's own options, shown before `--rate`. */
    readonly options: (command: Command) => void;
    /** `--rate`'s placeholder and help, `--burst`'s, and the burst when none is given. */
    readonly rate: readonly [flags: string, help: string];
    readonly burst: readonly [flags: string, help: string];
    readonly defaultBurst: (rate: number) => number;
    /** The kind's input from the parsed options. */
    readonly input: (options: Record<string, unknown>) => I;
    /** Lines for stderr once the key is on stdout. */
    readonly created: (record: R) => string[];
  };
  readonly list: {
    /** Adds the kind's own options, shown before `--json`. */
    readonly options?: (command: Command) => void;
    /** The group to list, from the parsed options (all when undefined). */
    readonly group?: (options: Record<string, unknown>) => string | undefined;
    /** The hint on stderr when there are no keys. */
    readonly empty: string;
    readonly columns: readonly KeyColumn<R>[];
  };
  readonly revoke: {
    readonly description: string;
    readonly revoked: (record: R) => string;
  };
  /** The kind's own fields of `list --json` and `create --json`, after the id. */
  readonly describe: (record: R) => object;
}

export interface KeysCommandDeps<R extends KeyRecordBase, I> extends KeysCommandIo {
  readonly store: KeyStore<R, I>;
  readonly now?: () => Date;
}

/**
 * Runs a kind's command line `args` (without `node` and the script): `create` (the secret alone
 * on stdout, once: `KEY=$(pnpm -s write-keys create …)`), `list`, `revoke`. Resolves with the
 * exit code.
 */
export function runKeysCommand<R extends KeyRecordBase, I>(
  spec: KeysCommandSpec<R, I>,
  args: readonly string[],
  deps: KeysCommandDeps<R, I>,
): Promise<number> {
  const now = deps.now ?? (() => new Date());
  const { program, run } = keysCommand(spec.name, spec.description, deps);
  const describe = (record: R) => {
    const { id, ...common } = describeKey(record);
    return { id, ...spec.describe(record), ...common };
  };

  const create = program.command('create').description(spec.create.description);
  spec.create.options(create);
  create
    .requiredOption(spec.create.rate[0], spec.create.rate[1], positiveInt)
    .option(spec.create.burst[0], spec.create.burst[1], positiveInt)
    .option('--json', 'print the key and its record as JSON on stdout')
    .action(async (options: Record<string, unknown> & { rate: number; burst?: number; json?: boolean }) => {
      const limit = {
        ratePerSecond: options.rate,
        burst: options.burst ?? spec.create.defaultBurst(options.rate),
      };
      const { key, record } = await deps.store.create({ ...spec.create.input(options), limit, now: now() });
      if (options.json === true) {
        deps.out(JSON.stringify({ key, ...describe(record) }));
        return;
      }
      deps.out(key);
      for (const line of spec.create.created(record)) deps.err(line);
    });

  const list = program.command('list').description('list keys (never their secrets), active and revoked');
  spec.list.options?.(list);
  list
    .option('--json', 'one JSON object per key on stdout')
    .action(async (options: Record<string, unknown> & { json?: boolean }) => {
      const records = await deps.store.list(spec.list.group?.(options));
      const json = options.json === true;
      if (records.length === 0 && !json) {
        deps.err(spec.list.empty);
        return;
      }
      printKeys(records, { json, columns: spec.list.columns, describe }, deps);
    });

  program
    .command('revoke')
    .description(spec.revoke.description)
    .argument(
      '<key-id-or-prefix>',
      'the key id that `list` shows, a longer prefix of its hash, or the key itself',
    )
    .action(async (reference: string) => {
      deps.err(spec.revoke.revoked(await deps.store.revoke(reference, now())));
    });

  return run(args);
}
