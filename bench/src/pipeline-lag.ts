/** Consumer group lag from Kafka's admin API: what a group has committed against the log ends. */
import type { Admin } from '@recstream/kafka';
import { topicLag } from './pipeline-figures.js';

/** Messages `groupId` has yet to consume on each topic; the sum is the group's lag. */
export async function groupLag(
  admin: Admin,
  groupId: string,
  topics: readonly string[],
): Promise<Record<string, number>> {
  const lags: Record<string, number> = {};
  await Promise.all(
    topics.map(async (topic) => {
      const [ends, committed] = await Promise.all([
        admin.fetchTopicOffsets(topic),
        admin.fetchOffsets({ groupId, topics: [topic] }),
      ]);
      lags[topic] = topicLag(ends, committed[0]?.partitions ?? []);
    }),
  );
  return lags;
}

export const totalLag = (lags: Record<string, number>) =>
  Object.values(lags).reduce((sum, lag) => sum + lag, 0);
