/**
 * Test fixtures for the trainer's integration and failure tests:
 * a shop whose shoppers browse items along a learnable chain, written into ClickHouse `events`
 * with topic positions exactly as the ingest sink writes them, and tiny-model job settings.
 */
import { createHash } from 'node:crypto';
import { formatDateTime, type ClickHouse } from '@recstream/clickhouse';
import type { Logger } from '@recstream/logger';
import { createMetrics, type ServiceMetrics } from '@recstream/metrics';
import { loadTensorFlow, resolveSequenceHyperParameters, SequenceRecommender } from '@recstream/models';
import type { ModelRegistry, VersionRecord } from '@recstream/model-registry';
import type { SequenceJobDeps, SequenceSettings } from '@recstream/trainer/jobs';
import { createTrainerMetrics } from '@recstream/trainer/metrics';
import { createClickHouseMirror } from '@recstream/trainer/registry';

export interface ShopEvent {
  readonly event_id: string;
  readonly type: string;
  readonly user_id: string;
  readonly item_id: string;
  readonly item_ids: string[];
  readonly event_time: string;
  readonly event_time_ms: number;
  readonly received_at: string;
  readonly received_at_ms: number;
  readonly event_date: string;
  readonly kafka_partition: number;
  readonly kafka_offset: number;
}

/** Hands out offsets per partition the way the events topic does, across calls. */
export class FakeTopic {
  private readonly next = new Map<number, number>();
  private clock: number;

  constructor(
    readonly partitions: number,
    startMs: number,
  ) {
    this.clock = startMs;
  }

  partitionOf(user: string): number {
    return createHash('md5').update(user).digest().readUInt32LE(0) % this.partitions;
  }

  /** One event for `user` on `items` (a purchase when several), one millisecond after the last. */
  event(user: string, items: readonly string[], type = items.length > 1 ? 'purchase' : 'view'): ShopEvent {
    const partition = this.partitionOf(user);
    const offset = this.next.get(partition) ?? 0;
    this.next.set(partition, offset + 1);
    this.clock += 1000;
    const at = new Date(this.clock);
    return {
      event_id: `e-${partition}-${offset}`,
      type,
      user_id: user,
      item_id: type === 'purchase' ? '' : (items[0] ?? ''),
      item_ids: type === 'purchase' ? [...items] : [],
      event_time: formatDateTime(at),
      event_time_ms: at.getUTCMilliseconds(),
      received_at: formatDateTime(at),
      received_at_ms: at.getUTCMilliseconds(),
      event_date: at.toISOString().slice(0, 10),
      kafka_partition: partition,
      kafka_offset: offset,
    };
  }

  /** The last offset handed out per partition (what a watermark covering everything is). */
  ends(): Record<string, number> {
    return Object.fromEntries([...this.next].map(([p, next]) => [String(p), next - 1]));
  }
}

/**
 * `users` shoppers, each viewing `length` items along the chain item(k) → item(k+step), starting
 * where its index puts it: a pattern a sequence model learns within a few epochs.
 */
export function chainSessions(
  topic: FakeTopic,
  options: {
    users: number;
    items: number;
    length: number;
    userPrefix?: string;
    step?: number;
    itemPrefix?: string;
  },
): ShopEvent[] {
  const step = options.step ?? 1;
  const events: ShopEvent[] = [];
  for (let position = 0; position < options.length; position += 1) {
    for (let u = 0; u < options.users; u += 1) {
      const start = (u * 7) % options.items;
      const item = (((start + position * step) % options.items) + options.items) % options.items;
      events.push(
        topic.event(`${options.userPrefix ?? 'u'}${u}`, [`${options.itemPrefix ?? 'sku-'}${item}`]),
      );
    }
  }
  return events;
}

export async function insertEvents(clickhouse: ClickHouse, events: readonly ShopEvent[]): Promise<void> {
  await clickhouse.insert('events', events);
}

export function tinySettings(overrides: Partial<SequenceSettings> = {}): SequenceSettings {
  return {
    model: 'sasrec',
    maxBatchEvents: 10_000,
    maxFullTrainEvents: 100_000,
    holdoutFraction: 0.2,
    replayUsers: 8,
    epochs: 2,
    hyper: {
      maxLength: 6,
      hiddenDim: 16,
      blocks: 1,
      heads: 1,
      negatives: 16,
      batchSize: 32,
      dropout: 0.1,
      learningRate: 0.01,
      maxEpochs: 30,
      useAttributes: false,
    },
    guardrail: { tolerance: 0.02, minCases: 1 },
    driftBound: 0.1,
    seed: 3,
    ...overrides,
  };
}

export interface TestJobDeps extends SequenceJobDeps {
  readonly serviceMetrics: ServiceMetrics;
  /** What was announced on the models topic, in order. */
  readonly announced: VersionRecord[];
}

export function testJobDeps(options: {
  clickhouse: ClickHouse;
  registry: ModelRegistry;
  logger: Logger;
  announce?: (record: VersionRecord) => Promise<void>;
}): TestJobDeps {
  const serviceMetrics = createMetrics('trainer', { defaultMetrics: false });
  const announced: VersionRecord[] = [];
  let suffix = 0;
  return {
    clickhouse: options.clickhouse,
    registry: options.registry,
    mirror: createClickHouseMirror(options.clickhouse, () => new Date()),
    announce: async (record) => {
      announced.push(record);
      await options.announce?.(record);
    },
    tf: loadTensorFlow(),
    metrics: createTrainerMetrics(serviceMetrics),
    logger: options.logger,
    now: () => new Date(),
    suffix: () => (suffix += 1).toString().padStart(4, '0'),
    serviceMetrics,
    announced,
  };
}

/** A freshly initialised (untrained) model with the settings' architecture: a candidate known to be worse. */
export function untrainedModel(
  settings: SequenceSettings,
  numItems: number,
  seed: number,
): SequenceRecommender {
  return SequenceRecommender.create(
    loadTensorFlow(),
    resolveSequenceHyperParameters(settings.hyper),
    { numItems },
    seed,
  );
}
