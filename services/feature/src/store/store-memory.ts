/**
 * The feature store's memory against its `maxmemory`. The store never evicts (an evicted watermark
 * would let a redelivered event count twice), so once full it refuses every write: the consumer
 * then retries (an OOM reply is transient) and features stop moving. This makes it visible before
 * and when it happens: gauges for Prometheus, and readiness that goes red past FULL_RATIO.
 */
import type { Redis } from 'ioredis';

/** Past this share of maxmemory the service reports not ready: writes will soon be refused. */
export const FULL_RATIO = 0.9;

export interface StoreMemory {
  readonly usedBytes: number;
  /** 0: no maxmemory set (bounded only by the host). */
  readonly maxBytes: number;
}

function infoField(info: string, name: string): number {
  const match = new RegExp(`^${name}:(\\d+)`, 'm').exec(info);
  return match === null ? 0 : Number(match[1]);
}

export async function readStoreMemory(redis: Redis): Promise<StoreMemory> {
  const info = await redis.info('memory');
  return { usedBytes: infoField(info, 'used_memory'), maxBytes: infoField(info, 'maxmemory') };
}

/** Readiness: rejects when the store is past FULL_RATIO of its maxmemory. */
export async function assertStoreHasRoom(redis: Redis): Promise<void> {
  const { usedBytes, maxBytes } = await readStoreMemory(redis);
  if (maxBytes > 0 && usedBytes >= maxBytes * FULL_RATIO)
    throw new Error(
      `the feature store uses ${usedBytes} of its ${maxBytes} bytes (maxmemory); at the limit it refuses every feature write`,
    );
}
