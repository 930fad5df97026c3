/**
 * The "after N new events" half of the incremental schedule (the other half is the periodic job):
 * polls how many interaction events lie beyond the head version's watermark and enqueues an
 * incremental update once there are `threshold` of them. The queue keeps one waiting update per
 * model, so a busy shop does not pile them up.
 */
import { fragment, sql, type ClickHouse } from '@recstream/clickhouse';
import type { Logger } from '@recstream/logger';
import { INTERACTION_TYPES } from '../data/event-log.reader.js';
import type { ModelRegistry } from '@recstream/model-registry';
import { beyondCondition, type Watermark } from '../watermark/watermark.js';

export async function countBeyond(clickhouse: ClickHouse, watermark: Watermark): Promise<number> {
  const [row] = await clickhouse.query<{ n: string }>(
    sql`SELECT count() AS n FROM events
      WHERE has(${[...INTERACTION_TYPES]}, type) AND ${fragment(beyondCondition(watermark))}`,
  );
  return Number(row?.n ?? 0);
}

export function startNewEventsTrigger(deps: {
  clickhouse: ClickHouse;
  registry: ModelRegistry;
  model: string;
  threshold: number;
  pollMs: number;
  trigger: () => Promise<unknown>;
  logger: Logger;
}): { stop(): void } {
  let running = false;
  const poll = async (): Promise<void> => {
    if (running) return;
    running = true;
    try {
      const head = await deps.registry.head(deps.model);
      if (head === undefined) return;
      const pending = await countBeyond(deps.clickhouse, head.watermark);
      if (pending >= deps.threshold) {
        deps.logger.info({ model: deps.model, pending }, 'new events: incremental update triggered');
        await deps.trigger();
      }
    } catch (err) {
      deps.logger.warn({ err, model: deps.model }, 'new-events trigger poll failed');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void poll(), deps.pollMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
