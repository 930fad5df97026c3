/**
 * Reads every request makes alike — the global trending and popular lists, the same for every
 * shopper — shared by the requests of a short window instead of read by each. At 300 requests/s a
 * 1 s window turns ~600 reads a second into ~2, and what a shopper sees is at most that much older.
 * A failed read is not shared: the next request reads again. Per-shopper reads are never shared.
 *
 * The window runs on the process's monotonic clock, not the request clock (tests pin that).
 */
import { performance } from 'node:perf_hooks';

export class SharedReads {
  private readonly entries = new Map<string, { readonly atMs: number; readonly value: Promise<unknown> }>();

  /** @param windowMs how long a read is shared; 0 reads every time. */
  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(windowMs >= 0)) throw new RangeError(`a shared-read window must be ≥ 0 ms, got ${windowMs}`);
  }

  /** The value read under `key` within the window, or a new read (then shared). */
  get<T>(key: string, read: () => Promise<T>): Promise<T> {
    if (this.windowMs === 0) return read();
    const nowMs = this.now();
    const entry = this.entries.get(key);
    if (entry !== undefined && nowMs - entry.atMs < this.windowMs) return entry.value as Promise<T>;
    const value = read();
    this.entries.set(key, { atMs: nowMs, value });
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    return value;
  }
}
