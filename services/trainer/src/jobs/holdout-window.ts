/** Held-out cases read from the log: the newest events beyond a watermark. */
import { readBatch, readHistories } from '../data/event-log.reader.js';
import { holdoutCases, type HoldoutCase } from '../learning/holdout.js';
import type { Watermark } from '../watermark/watermark.js';
import type { SequenceJobDeps, SequenceSettings } from './sequence-settings.js';

/**
 * Cases from the next `maxBatchEvents` events beyond `watermark` (events no model that the
 * watermark covers has learned), with each shopper's history up to the watermark.
 */
export async function casesBeyond(
  deps: Pick<SequenceJobDeps, 'clickhouse'>,
  settings: Pick<SequenceSettings, 'maxBatchEvents'>,
  watermark: Watermark,
  maxLength: number,
): Promise<HoldoutCase[]> {
  const batch = await readBatch(deps.clickhouse, watermark, settings.maxBatchEvents);
  const users = [...new Set(batch.map((event) => event.user))];
  return holdoutCases(await readHistories(deps.clickhouse, users, watermark, maxLength), batch);
}
