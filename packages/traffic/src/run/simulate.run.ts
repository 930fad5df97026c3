/**
 * `simulate`: builds the shop from the seed, sends its catalog, then streams shopper sessions at
 * a fixed rate until the duration is up or the stop signal fires.
 */
import { generateCatalog } from '../catalog/catalog.generator.js';
import type { PacedEvent } from '../pump/traffic.pump.js';
import { FixedRatePacer } from '../rate/rate-limiter.js';
import { ShopTraffic } from '../shoppers/shop.traffic.js';
import { generateShoppers } from '../shoppers/shopper.model.js';
import { executeRun, type RunDeps, type RunSummary } from './run.summary.js';

export type { RunDeps } from './run.summary.js';

export interface SimulateOptions {
  readonly seed: number;
  readonly runId: string;
  readonly items: number;
  readonly users: number;
  /** Events per second. */
  readonly rate: number;
  readonly durationMs?: number | undefined;
  readonly batchSize: number;
  readonly flushIntervalMs: number;
  /**
   * Sessions in progress at once. A session of ~10 events then spans about 10 × sessions / rate
   * seconds; the default (the rate, at least 10) gives ~10 s sessions, so a trend shows within seconds.
   */
  readonly concurrentSessions?: number | undefined;
  /** A new trending item about every this many seconds (at the nominal rate); off when absent. */
  readonly trendEverySeconds?: number | undefined;
  readonly progressIntervalMs: number;
}

export async function runSimulate(options: SimulateOptions, deps: RunDeps): Promise<RunSummary> {
  const now = deps.now ?? (() => new Date());
  const startedAt = now();
  const { logger } = deps;
  const details = {
    seed: options.seed,
    run_id: options.runId,
    items: options.items,
    users: options.users,
    rate: options.rate,
  };

  const catalog = generateCatalog({ items: options.items, seed: options.seed, now: now() });
  const shoppers = generateShoppers({ count: options.users, seed: options.seed, catalog });
  logger.info(details, 'simulated shop built');

  // Made once the catalog is in, as the events are pumped.
  const shopEvents = (): Iterable<PacedEvent> => {
    const traffic = new ShopTraffic(catalog, shoppers, {
      seed: options.seed,
      runId: options.runId,
      concurrentSessions: options.concurrentSessions ?? Math.max(10, Math.round(options.rate)),
      trendEveryEvents:
        options.trendEverySeconds === undefined
          ? undefined
          : Math.max(1, Math.round(options.trendEverySeconds * options.rate)),
      onTrend: (item) => {
        logger.info(
          { item_id: item.item.item_id, title: item.item.title, category: item.item.category_path },
          'trend item started',
        );
      },
    });
    return (function* () {
      for (const event of traffic) yield { event };
    })();
  };

  return executeRun(
    {
      mode: 'simulate',
      details,
      startedAt,
      items: catalog.items.map((i) => i.item),
      events: shopEvents,
      pacer: new FixedRatePacer(options.rate),
      batchSize: options.batchSize,
      flushIntervalMs: options.flushIntervalMs,
      durationMs: options.durationMs,
      progressIntervalMs: options.progressIntervalMs,
    },
    deps,
  );
}
