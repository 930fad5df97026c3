/**
 * Whether Redis still holds the features this service built. A marker hash is written when the
 * store is initialised (or rebuilt); Redis restarted without its data loses it, and readiness
 * goes red until a rebuild restores the features, rather than serving silently empty ones.
 */
import type { Redis } from 'ioredis';
import { featureKeys } from '@recstream/features';

export const REBUILD_COMMAND = 'pnpm features:rebuild';

export type StoreState = 'present' | 'initialised' | 'lost';

/**
 * Initialises the marker on a first start. `consumedBefore` says whether the consumer group has
 * committed offsets: if it has and the marker is gone, the features were lost, not never built.
 */
export async function initialiseStoreState(
  redis: Redis,
  prefix: string,
  consumedBefore: boolean,
  nowMs = Date.now(),
): Promise<StoreState> {
  const key = featureKeys(prefix).state();
  if ((await redis.exists(key)) === 1) return 'present';
  if (consumedBefore) return 'lost';
  await redis.hsetnx(key, 'created_at', new Date(nowMs).toISOString());
  return 'initialised';
}

/** Readiness check: rejects while the marker is missing. */
export async function assertStorePresent(redis: Redis, prefix: string): Promise<void> {
  if ((await redis.exists(featureKeys(prefix).state())) === 1) return;
  throw new Error(`the feature store in Redis is empty (Redis lost its data?); run \`${REBUILD_COMMAND}\``);
}

/** Records a completed rebuild: the store is whole again. */
export async function markRebuilt(redis: Redis, prefix: string, nowMs = Date.now()): Promise<void> {
  await redis.hset(featureKeys(prefix).state(), 'rebuilt_at', new Date(nowMs).toISOString());
}
