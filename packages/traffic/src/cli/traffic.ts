/**
 * Traffic generator for the ingest collector (composition root: options → logger → client →
 * signals → run → summary).
 *
 *   pnpm exec tsx packages/traffic/src/cli/traffic.ts simulate --rate 200 --duration 60
 *   pnpm exec tsx packages/traffic/src/cli/traffic.ts replay yoochoose --speed 600 --limit 20000
 *
 * Progress goes to stderr as pino JSON lines; the summary is printed to stdout as JSON.
 * Exit code 0 on a normal end (duration, dataset finished, SIGINT/SIGTERM), 1 when ingest stayed
 * unavailable or refused a batch (4xx: a bug in what we send), 2 for bad options or data.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { pino } from 'pino';
import { DATASETS, defaultDatasetPath, isDatasetName } from '../replay/datasets.js';
import { DATASET_NAMES } from '../replay/replay.dataset.js';
import { DEFAULT_CART_MIN_RATING } from '../replay/movielens.reader.js';
import { runFailed, type RunSummary } from '../run/run.summary.js';
import { runReplay, type ReplayPace } from '../run/replay.run.js';
import { runSimulate } from '../run/simulate.run.js';
import { IngestClient } from '../sender/ingest.client.js';
import { RUN_ID_PATTERN } from '../shoppers/shop.traffic.js';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const DEFAULT_INGEST_URL = 'http://127.0.0.1:3001';

interface CommonCli {
  ingestUrl: string;
  writeKey?: string;
  header: string[];
  batchSize: number;
  flushMs: number;
  duration?: number;
  progressEvery: number;
  maxAttempts: number;
  logLevel: string;
}

interface SimulateCli extends CommonCli {
  rate: number;
  users: number;
  items: number;
  seed: number;
  runId?: string;
  sessions?: number;
  trendItemEvery?: number;
}

interface ReplayCli extends CommonCli {
  path?: string;
  speed?: number;
  rate?: number;
  maxGap: number;
  limit?: number;
  cartMinRating: number | 'none';
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
  return n;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a non-negative integer');
  return n;
}

function collect(value: string, previous: string[]): string[] {
  if (!/^[A-Za-z0-9-]+:/.test(value)) throw new InvalidArgumentError('must look like "Name: value"');
  return [...previous, value];
}

/** `--write-key` has no default value: help would print the secret from REC_WRITE_KEY (see headersFrom). */
function addCommonOptions(command: Command): Command {
  return command
    .option(
      '--ingest-url <url>',
      'ingest collector base URL (env REC_INGEST_URL)',
      process.env['REC_INGEST_URL'] ?? DEFAULT_INGEST_URL,
    )
    .option(
      '--write-key <key>',
      'write key sent as x-write-key (env REC_WRITE_KEY; `pnpm write-keys create`)',
    )
    .option('--header <name:value>', 'extra request header, repeatable', collect, [])
    .option('--batch-size <n>', 'events per POST /v1/events', positiveInt, 100)
    .option('--flush-ms <ms>', 'send a batch that has waited this long even if not full', positiveInt, 1000)
    .option(
      '--duration <s>',
      'stop after this many seconds (default: until SIGINT/SIGTERM or the end of the data)',
      positiveNumber,
    )
    .option('--progress-every <s>', 'seconds between progress lines', positiveNumber, 5)
    .option(
      '--max-attempts <n>',
      'attempts per batch while ingest answers 503/5xx or is unreachable',
      positiveInt,
      8,
    )
    .option('--log-level <level>', 'pino level', 'info');
}

function headersFrom(options: CommonCli): Record<string, string> {
  const headers: Record<string, string> = {};
  const writeKey = options.writeKey ?? process.env['REC_WRITE_KEY'];
  if (writeKey !== undefined && writeKey.trim() !== '') headers['x-write-key'] = writeKey.trim();
  for (const raw of options.header) {
    const at = raw.indexOf(':');
    headers[raw.slice(0, at).trim().toLowerCase()] = raw.slice(at + 1).trim();
  }
  return headers;
}

/** Builds the logger, client and signal handling, runs, prints the summary, sets the exit code. */
async function execute(
  options: CommonCli,
  run: (deps: Parameters<typeof runSimulate>[1]) => Promise<RunSummary>,
): Promise<void> {
  const logger = pino(
    { name: 'traffic', level: options.logLevel, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ fd: 2, sync: true }),
  );
  const stop = new AbortController();
  const hardStop = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!stop.signal.aborted) {
      logger.info({ signal }, 'stopping: sending the last batch (signal again to abandon it)');
      stop.abort();
    } else {
      logger.warn({ signal }, 'stopping now: abandoning retries');
      hardStop.abort();
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const headers = headersFrom(options);
  const sink = new IngestClient(
    { baseUrl: options.ingestUrl, headers, maxAttempts: options.maxAttempts },
    { logger, signal: hardStop.signal },
  );
  logger.info(
    { ingest_url: options.ingestUrl, write_key: 'x-write-key' in headers ? 'set' : 'none' },
    'traffic starting',
  );
  try {
    const summary = await run({ sink, logger, stop: stop.signal });
    console.log(JSON.stringify(summary, null, 2));
    process.exitCode = runFailed(summary) ? 1 : 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Relative paths are taken from where the user ran the command, also under `pnpm run`. */
function userPath(path: string): string {
  return resolve(process.env['INIT_CWD'] ?? process.cwd(), path);
}

const program = new Command()
  .name('traffic')
  .description(
    'Sends e-commerce traffic to the recstream ingest collector: a simulated shop or a replayed dataset.',
  )
  .showHelpAfterError();

addCommonOptions(
  program
    .command('simulate')
    .description(
      'a seeded simulated shop: catalog first, then shopper sessions (search, views, carts, purchases)',
    )
    .option('--rate <events/s>', 'events per second', positiveNumber, 200)
    .option('--users <n>', 'shoppers', positiveInt, 5000)
    .option('--items <n>', 'catalog items', positiveInt, 2000)
    .option('--seed <n>', 'seed of the shop, its shoppers and their behaviour', nonNegativeInt, 42)
    .option('--run-id <id>', 'makes event, session and order ids unique per run (default: from the clock)')
    .option(
      '--sessions <n>',
      'sessions in progress at once (default: the rate, at least 10, so a session spans ~10 s)',
      positiveInt,
    )
    .option(
      '--trend-item-every <s>',
      'every this many seconds a new item gets a burst of interest',
      positiveNumber,
    ),
).action(async (_args: unknown, command: Command) => {
  const o = command.opts<SimulateCli>();
  const runId = o.runId ?? Date.now().toString(36);
  if (!RUN_ID_PATTERN.test(runId))
    command.error(`--run-id must match ${RUN_ID_PATTERN.source}`, { exitCode: 2 });
  await execute(o, (deps) =>
    runSimulate(
      {
        seed: o.seed,
        runId,
        items: o.items,
        users: o.users,
        rate: o.rate,
        durationMs: o.duration === undefined ? undefined : o.duration * 1000,
        batchSize: o.batchSize,
        flushIntervalMs: o.flushMs,
        concurrentSessions: o.sessions,
        trendEverySeconds: o.trendItemEvery,
        progressIntervalMs: o.progressEvery * 1000,
      },
      deps,
    ),
  );
});

addCommonOptions(
  program
    .command('replay')
    .description('streams a real dataset as time-ordered live events, after minimal catalog items')
    .argument('<dataset>', `one of: ${DATASET_NAMES.join(', ')}`)
    .option(
      '--path <folder|file>',
      'dataset folder or file (default: ../shared/datasets/<folder> from the repo root, env REC_DATASETS_DIR for the root)',
    )
    .option('--speed <x>', 'replay at the original pace, this many times faster', positiveNumber)
    .option('--rate <events/s>', 'replay at a fixed rate (default 200 unless --speed)', positiveNumber)
    .option('--max-gap <s>', 'with --speed: longest wait between two events', positiveNumber, 5)
    .option('--limit <n>', 'replay only the first n interactions in time order', positiveInt)
    .option(
      '--cart-min-rating <n|none>',
      'ml-100k: ratings at or above n also become add_to_cart',
      (v: string) => (v === 'none' ? 'none' : nonNegativeInt(v)),
      DEFAULT_CART_MIN_RATING,
    ),
).action(async (dataset: string, _args: unknown, command: Command) => {
  const o = command.opts<ReplayCli>();
  if (!isDatasetName(dataset))
    command.error(`unknown dataset "${dataset}": use one of ${DATASET_NAMES.join(', ')}`, { exitCode: 2 });
  if (o.speed !== undefined && o.rate !== undefined)
    command.error('give --speed or --rate, not both', { exitCode: 2 });
  const pace: ReplayPace =
    o.speed !== undefined
      ? { kind: 'speed', factor: o.speed, maxGapMs: o.maxGap * 1000 }
      : { kind: 'rate', eventsPerSecond: o.rate ?? 200 };
  const datasetsRoot = process.env['REC_DATASETS_DIR'] ?? resolve(REPO_ROOT, '../shared/datasets');
  const path = o.path === undefined ? defaultDatasetPath(datasetsRoot, dataset) : userPath(o.path);
  await execute(o, (deps) =>
    runReplay(
      {
        dataset,
        path,
        pace,
        limit: o.limit,
        durationMs: o.duration === undefined ? undefined : o.duration * 1000,
        batchSize: o.batchSize,
        flushIntervalMs: o.flushMs,
        progressIntervalMs: o.progressEvery * 1000,
        cartMinRating: o.cartMinRating === 'none' ? undefined : o.cartMinRating,
      },
      deps,
    ),
  );
});

program.addHelpText(
  'after',
  `\nDatasets and their default folders: ${Object.entries(DATASETS)
    .map(([name, spec]) => `${name} → ${spec.folder}/${spec.file}`)
    .join(', ')}`,
);

program.parseAsync(process.argv).catch((error: unknown) => {
  const err = error as { code?: unknown; message?: unknown };
  console.error(typeof err.message === 'string' ? err.message : String(error));
  process.exitCode = typeof err.code === 'string' && err.code.startsWith('REC_ERR_DATASET') ? 2 : 1;
});
