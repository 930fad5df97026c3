/**
 * One writer per model lineage: full trainings and incremental updates of a model take a Redis
 * lock (SET NX with an expiry, renewed while the job runs, released only by its owner), so two
 * workers — or a scheduled and an event-triggered update — never train from the same head at once.
 *
 * Key: `<prefix>:trainer:lock:<model>` (string, owner token); bounded by one per model, expires
 * `ttlMs` after its owner stopped renewing it (a crashed worker's lock frees itself).
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { keyBuilder, luaScript } from '@recstream/redis';

/** Each deletes or extends the lock only if its owner token is still the one stored. */
const RELEASE = new URL('./model-lock-release.lua', import.meta.url);
const EXTEND = new URL('./model-lock-extend.lua', import.meta.url);

/** The lock of `model` (@recstream/redis family `trainer.model-lock`). */
export function modelLockKey(prefix: string, model: string): string {
  return keyBuilder('trainer.model-lock', prefix)(model);
}

/**
 * Runs `work` holding the model's lock, or returns `{ locked: false }` at once when another
 * holder has it.
 */
export async function withModelLock<T>(
  redis: Redis,
  key: string,
  ttlMs: number,
  work: () => Promise<T>,
): Promise<{ locked: true; value: T } | { locked: false }> {
  const [release, extend] = [luaScript(RELEASE), luaScript(EXTEND)];
  const token = randomBytes(12).toString('hex');
  const acquired = await redis.set(key, token, 'PX', ttlMs, 'NX');
  if (acquired !== 'OK') return { locked: false };
  const renew = setInterval(
    () => {
      redis.eval(extend, 1, key, token, String(ttlMs)).catch(() => undefined);
    },
    Math.max(1000, Math.floor(ttlMs / 3)),
  );
  try {
    return { locked: true, value: await work() };
  } finally {
    clearInterval(renew);
    await redis.eval(release, 1, key, token).catch(() => undefined);
  }
}
