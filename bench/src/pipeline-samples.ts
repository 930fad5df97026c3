/**
 * Follows sampled events to the feature store, as `bench:features` (freshness) does: from their
 * request's 202 until their id is in a seen-id set, which the apply-once script writes in the same
 * step as the event's features (visible exactly when they are). All pending samples are asked in
 * one pipeline every ~10 ms, slower when hundreds are pending, so that polling never adds more
 * than ~5000 SMISMEMBER/s to the Redis the service writes to.
 */
import { performance } from 'node:perf_hooks';
import { seenBucketOf } from '@recstream/feature/store';
import { featureKeys } from '@recstream/features';
import type { Redis } from '@recstream/redis';

interface Pending {
  readonly acceptedAt: number;
  /** Accepted after the warm-up: its lag counts. */
  readonly measured: boolean;
  readonly bucket: number;
}

export interface SeenSampler {
  /** A sampled event whose request was just answered 202. */
  accepted(eventId: string, measured: boolean): void;
  readonly pending: number;
  /** Lags (ms) of the measured samples seen so far. */
  readonly lags: readonly number[];
  /** Samples accepted in the warm-up and seen. */
  readonly unmeasured: number;
  /** Stops polling (pending samples are dropped: report `pending` first). */
  stop(): Promise<void>;
}

export function startSeenSampler(redis: Redis, prefix: string): SeenSampler {
  const keys = featureKeys(prefix);
  const pending = new Map<string, Pending>();
  const lags: number[] = [];
  let unmeasured = 0;
  let polling = true;
  const poller = (async () => {
    while (polling) {
      if (pending.size > 0) {
        const ids = [...pending.keys()];
        const pipeline = redis.pipeline();
        // Ingest stamps its receive time a moment after the 202's bucket was taken: either bucket.
        for (const id of ids) {
          const bucket = pending.get(id)?.bucket ?? 0;
          pipeline.smismember(keys.seenEvents(bucket), id).smismember(keys.seenEvents(bucket - 1), id);
        }
        const results = (await pipeline.exec()) ?? [];
        const now = performance.now();
        for (const [index, id] of ids.entries()) {
          const [[error, here] = [], [earlierError, earlier] = []] = results.slice(2 * index, 2 * index + 2);
          if (error !== null && error !== undefined) throw error;
          if (earlierError !== null && earlierError !== undefined) throw earlierError;
          if ((here as number[] | undefined)?.[0] !== 1 && (earlier as number[] | undefined)?.[0] !== 1)
            continue;
          const sample = pending.get(id);
          pending.delete(id);
          if (sample === undefined) continue;
          if (sample.measured) lags.push(Math.max(0, now - sample.acceptedAt));
          else unmeasured += 1;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(10, pending.size / 5)));
    }
  })();
  return {
    accepted(eventId, measured) {
      pending.set(eventId, { acceptedAt: performance.now(), measured, bucket: seenBucketOf(Date.now()) });
    },
    get pending() {
      return pending.size;
    },
    lags,
    get unmeasured() {
      return unmeasured;
    },
    async stop() {
      polling = false;
      await poller;
      pending.clear();
    },
  };
}
