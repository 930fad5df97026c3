/**
 * Re-submits parked records from `failed_events` through the collector's intake, after a fix.
 *
 *   pnpm dlq:replay [--since 2026-05-01T00:00:00Z] [--until ...] [--step validate|sink]
 *                   [--reason "unknown event type"] [--limit 10000] [--include-replayed] [--dry-run]
 *
 * `--until` defaults to the start of the command, so the replay never reads what it parks again.
 *
 * Uses the collector's environment (REC_KAFKA_*, REC_CLICKHOUSE_*, REC_TOPIC_PREFIX). Prints a
 * progress bar on a terminal (a line per page otherwise) and a JSON report at the end.
 */
import { Command, InvalidArgumentError } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { createClickHouse } from '@recstream/clickhouse';
import { clickhouseConnection } from '@recstream/config';
import { errorMessage } from '@recstream/errors';
import { connectKafka } from '@recstream/kafka';
import { createLogger } from '@recstream/logger';
import { createValidators, topicName } from '@recstream/schemas';
import { loadConfig } from '../config.js';
import { createPublisher } from '../handlers/event-publisher.js';
import { countParked, replayParked, type ReplayFilter } from '../replay/dlq-replay.js';

function parseDate(value: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new InvalidArgumentError(`not a date-time: ${value}`);
  return date;
}

function parsePositive(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1)
    throw new InvalidArgumentError(`not a positive integer: ${value}`);
  return number;
}

interface Options {
  since?: Date;
  until?: Date;
  step?: string;
  reason?: string;
  limit?: number;
  includeReplayed?: boolean;
  dryRun?: boolean;
}

async function main(argv: readonly string[]): Promise<void> {
  const program = new Command('dlq:replay')
    .description('Re-submit parked records from failed_events through the collector intake')
    .option('--since <date-time>', 'failed at or after', parseDate)
    .option('--until <date-time>', 'failed before (default: now)', parseDate)
    .option('--step <step>', 'only records that failed at this step (validate, sink)')
    .option('--reason <text>', 'only records whose reason contains this text')
    .option('--limit <n>', 'at most this many records', parsePositive)
    .option('--include-replayed', 'also records an earlier replay refused and parked again')
    .option('--dry-run', 'judge and count, publish nothing')
    .parse(argv, { from: 'user' });
  const options = program.opts<Options>();
  const filter: ReplayFilter = {
    ...(options.since === undefined ? {} : { since: options.since }),
    // Fixed now, so the count and the replay select the same records.
    until: options.until ?? new Date(),
    ...(options.includeReplayed === true ? { includeReplayed: true } : {}),
    ...(options.step === undefined ? {} : { step: options.step }),
    ...(options.reason === undefined ? {} : { reasonContains: options.reason }),
    ...(options.limit === undefined ? {} : { limit: options.limit }),
  };

  const config = loadConfig(process.env);
  const logger = createLogger({ service: 'dlq-replay', level: config.REC_LOG_LEVEL });
  const clickhouse = createClickHouse(clickhouseConnection(config));
  const kafka = await connectKafka({
    brokers: config.REC_KAFKA_BROKERS,
    clientId: 'ingest-dlq-replay',
    logger,
    topicPrefix: config.REC_TOPIC_PREFIX,
    produceTimeoutMs: config.REC_INGEST_PRODUCE_TIMEOUT_MS,
    compression: config.REC_KAFKA_COMPRESSION,
  });
  try {
    const total = await countParked(clickhouse, filter);
    const bar = process.stderr.isTTY
      ? new SingleBar({ stream: process.stderr }, Presets.shades_classic)
      : undefined;
    bar?.start(total, 0);
    const report = await replayParked(filter, {
      clickhouse,
      validators: createValidators(),
      publisher: createPublisher(kafka.producer, {
        events: topicName('events', config.REC_TOPIC_PREFIX),
        items: topicName('items', config.REC_TOPIC_PREFIX),
        dlq: topicName('eventsDlq', config.REC_TOPIC_PREFIX),
      }),
      clock: {
        maxFutureSkewMs: config.REC_INGEST_MAX_FUTURE_SKEW_MS,
        maxPastAgeMs: config.REC_INGEST_MAX_PAST_AGE_MS,
      },
      dryRun: options.dryRun === true,
      onProgress: (progress) => {
        if (bar !== undefined) bar.update(progress.examined);
        else logger.info({ ...progress, total }, 'replay progress');
      },
    });
    bar?.stop();
    process.stdout.write(`${JSON.stringify({ total, ...report }, null, 2)}\n`);
  } finally {
    await kafka.stop();
    await clickhouse.close();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`dlq:replay failed: ${errorMessage(error)}\n`);
  process.exitCode = 1;
});
