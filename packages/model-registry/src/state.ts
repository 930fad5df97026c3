/**
 * Changing the mutable half of the registry, per model: which version is live, which is pinned,
 * each version's status and the order versions went live (rollback walks it backwards). One small
 * JSON file, replaced atomically, changed only under a lock so the worker and the CLI never
 * interleave a read-modify-write. The writer's side only: readers use `readRegistryState`.
 */
import { mkdir, rename, rmdir, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ERROR_CODES, TransientError, sleep } from '@recstream/errors';
import type { RegistryState } from '@recstream/schemas';
import { statePath } from './layout.js';
import { readRegistryState } from './manifest.js';

/** A lock older than this belonged to a process that died holding it. */
const STALE_LOCK_MS = 60_000;
const LOCK_WAIT_MS = 10_000;

async function acquire(lock: string): Promise<void> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      await mkdir(lock); // atomic: exactly one process creates it
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const held = await stat(lock).catch(() => undefined);
    if (held !== undefined && Date.now() - held.mtimeMs > STALE_LOCK_MS) {
      await rmdir(lock).catch(() => undefined);
      continue;
    }
    if (Date.now() > deadline)
      throw new TransientError(ERROR_CODES.unavailable, `registry state is locked (${lock})`);
    await sleep(25);
  }
}

/** Runs `work` holding the model's registry lock (state changes and version renames). */
export async function withStateLock<T>(root: string, model: string, work: () => Promise<T>): Promise<T> {
  const path = statePath(root, model);
  await mkdir(dirname(path), { recursive: true });
  const lock = `${path}.lock`;
  await acquire(lock);
  try {
    return await work();
  } finally {
    await rmdir(lock).catch(() => undefined);
  }
}

/** Writes the model's state; call it holding the lock. */
export async function writeState(root: string, model: string, state: RegistryState): Promise<void> {
  const path = statePath(root, model);
  const temporary = `${path}.tmp-${process.pid}`;
  await writeFile(temporary, `${JSON.stringify(state, null, 2)}\n`);
  await rename(temporary, path);
}

/** Applies `change` to the model's state under its lock; returns the state written. */
export async function updateState(
  root: string,
  model: string,
  change: (state: RegistryState) => RegistryState | Promise<RegistryState>,
): Promise<RegistryState> {
  return withStateLock(root, model, async () => {
    const next = await change(await readRegistryState(root, model));
    await writeState(root, model, next);
    return next;
  });
}
