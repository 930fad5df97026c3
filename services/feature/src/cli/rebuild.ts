/**
 * Rebuilds the online features from the ClickHouse behaviour log (rebuild/rebuild.ts).
 *
 *   pnpm features:rebuild [--reset]
 *
 * Safe while the feature service runs. Without --reset it fills what Redis lacks (after Redis
 * lost its data, or for partitions it never had); with --reset it deletes every feature key first
 * and recomputes all (a new feature, a fix). Uses the feature service's environment. Shows a
 * progress bar on a terminal (a log line per batch otherwise) and prints a JSON report.
 */
import { Command } from 'commander';
import { Presets, SingleBar } from 'cli-progress';
import { createClickHouse } from '@recstream/clickhouse';
import { clickhouseConnection, featureRedisUrl } from '@recstream/config';
import { errorMessage } from '@recstream/errors';
import { seenWindowS } from '@recstream/features';
import { createLogger } from '@recstream/logger';
import { createRedis } from '@recstream/redis';
import { topicName } from '@recstream/schemas';
import { loadConfig } from '../config.js';
import { rebuildFeatures } from '../rebuild/rebuild.js';
import { createFeatureStore } from '../store/feature-store.js';

async function main(argv: readonly string[]): Promise<void> {
  const options = new Command('features:rebuild')
    .description('Recompute the online features in Redis from the ClickHouse behaviour log')
    .option('--reset', 'delete every feature key first and recompute everything')
    .parse(argv, { from: 'user' })
    .opts<{ reset?: boolean }>();
  const config = loadConfig(process.env);
  const logger = createLogger({ service: 'features-rebuild', level: config.REC_LOG_LEVEL });
  const clickhouse = createClickHouse(clickhouseConnection(config));
  const redis = createRedis(featureRedisUrl(config));
  await redis.connect();
  const bar = process.stderr.isTTY
    ? new SingleBar({ stream: process.stderr }, Presets.shades_classic)
    : undefined;
  let total = 0;
  try {
    const report = await rebuildFeatures({
      clickhouse,
      redis,
      store: createFeatureStore(redis, config.REC_REDIS_PREFIX, Date.now, {
        seenWindowS: seenWindowS(config.REC_FEATURE_MAX_LATENESS_MS),
      }),
      prefix: config.REC_REDIS_PREFIX,
      eventsTopic: topicName('events', config.REC_TOPIC_PREFIX),
      maxLatenessMs: config.REC_FEATURE_MAX_LATENESS_MS,
      reset: options.reset === true,
      onStart: (count) => {
        total = count;
        bar?.start(count, 0);
      },
      onRefused: (eventId, reason) => logger.warn({ eventId, reason }, 'event refused by the store'),
      onProgress: (read) => {
        if (bar !== undefined) bar.update(read);
        else logger.info({ read, total }, 'rebuild progress');
      },
    });
    bar?.stop();
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    bar?.stop();
    redis.disconnect();
    await clickhouse.close();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`features:rebuild failed: ${errorMessage(error)}\n`);
  process.exitCode = 1;
});
