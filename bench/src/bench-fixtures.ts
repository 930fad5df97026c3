/**
 * What the benchmarks that run the collector and the feature service set up before the load: a
 * catalog in the feature store, a write key for the collector, and which Redis holds the features.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { featureKeys, toItemMeta } from '@recstream/features';
import { createWriteKeyStore } from '@recstream/ingest/auth';
import { createRedis, type Redis } from '@recstream/redis';
import { freePort, waitFor } from '@recstream/testing';
import { catalogItem, itemId } from './feature-workload.js';

/** The catalog's display fields in the item meta hash, as the service's items consumer keeps them. */
export async function writeCatalog(redis: Redis, prefix: string, items: number): Promise<void> {
  const key = featureKeys(prefix).itemMeta();
  for (let start = 0; start < items; start += 5000) {
    const pipeline = redis.pipeline();
    for (let i = start; i < Math.min(items, start + 5000); i += 1)
      pipeline.hset(key, itemId(i), JSON.stringify(toItemMeta(catalogItem(i, items))));
    for (const [error] of (await pipeline.exec()) ?? []) if (error !== null) throw error;
  }
}

/** The pid of the Redis holding the features: the feature store's own, or the shared one. */
export function featureStorePid(
  pids: Record<string, number>,
  env: Record<string, string>,
): number | undefined {
  const own =
    env['REC_FEATURE_REDIS_URL'] !== undefined && env['REC_FEATURE_REDIS_URL'] !== env['REC_REDIS_URL'];
  return own ? pids['feature-store'] : pids['redis'];
}

/** A write key for the collector, in the durable Redis where the collector looks keys up. */
export async function createBenchWriteKey(
  redisUrl: string,
  prefix: string,
  ratePerSecond: number,
): Promise<string> {
  const redis = createRedis(redisUrl);
  await redis.connect();
  try {
    const { key } = await createWriteKeyStore(redis, prefix).create({
      source: 'bench',
      limit: { ratePerSecond, burst: ratePerSecond },
    });
    return key;
  } finally {
    redis.disconnect();
  }
}

/**
 * A Redis of our own: nothing else in it, and no persistence to fork for (as the feature store is
 * deployed). `args`: more settings for redis-server (`--maxmemory`, …).
 */
export async function startPrivateRedis(
  args: readonly string[] = [],
): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...args],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  await waitFor('the private Redis to answer', async () => {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    const probe = createRedis(url);
    probe.on('error', () => undefined); // refused until it listens: the probe's answer is enough
    try {
      await probe.connect();
      return (await probe.ping()) === 'PONG' ? true : undefined;
    } catch {
      return undefined;
    } finally {
      probe.disconnect();
    }
  });
  return { url, child };
}
