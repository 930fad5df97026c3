/**
 * Whether a consumer group has committed offsets on a topic. Asked at startup, often right after
 * the broker itself started, when the group coordinator is still loading ("not the correct
 * coordinator", "coordinator is loading"): such answers are retried with backoff, not fatal.
 */
import type { Admin } from 'kafkajs';
import { ERROR_CODES, TransientError, errorMessage, retryTransient } from '@recstream/errors';

/** kafkajs marks protocol errors a retry can cure (coordinator moves, leaders electing, …). */
function isRetriable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { retriable?: unknown }).retriable === true;
}

export async function hasCommittedOffsets(
  admin: Admin,
  groupId: string,
  topic: string,
  options: { attempts?: number } = {},
): Promise<boolean> {
  const committed = await retryTransient(
    async () => {
      try {
        return await admin.fetchOffsets({ groupId, topics: [topic] });
      } catch (error) {
        if (!isRetriable(error)) throw error;
        throw new TransientError(ERROR_CODES.unavailable, `kafka: ${errorMessage(error)}`, { cause: error });
      }
    },
    { attempts: options.attempts ?? 12, baseMs: 250, maxMs: 5_000 },
  );
  return committed.some(({ partitions }) => partitions.some((p) => Number(p.offset) >= 0));
}
