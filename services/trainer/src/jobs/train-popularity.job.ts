/**
 * The popularity baseline: items ranked by interactions in a recent window of the behaviour log,
 * weighted by event type exactly as the online feature is. It is the fallback every other model
 * is compared with, and what serving shows when nothing better is available.
 */
import { randomBytes } from 'node:crypto';
import { fragment, sql, type ClickHouse } from '@recstream/clickhouse';
import { EVENT_WEIGHTS } from '@recstream/features';
import type { ModelManifest, ModelRegistry } from '../registry/filesystem-registry.js';

export const POPULARITY_MODEL = 'popularity';

export interface PopularityArtifact {
  readonly items: readonly { readonly itemId: string; readonly score: number }[];
}

export interface TrainPopularityDeps {
  readonly clickhouse: ClickHouse;
  readonly registry: ModelRegistry;
  readonly publish: (manifest: ModelManifest) => Promise<void>;
  readonly now: () => Date;
}

export interface TrainPopularityParams {
  readonly windowHours: number;
  readonly topN: number;
}

function weightExpression(): string {
  const cases = Object.entries(EVENT_WEIGHTS)
    .filter(([type, weight]) => weight > 0 && type !== 'purchase')
    .map(([type, weight]) => sql`type = ${type}, ${weight}`);
  return `multiIf(${cases.join(', ')}, 0)`;
}

export async function trainPopularity(
  deps: TrainPopularityDeps,
  params: TrainPopularityParams,
): Promise<ModelManifest> {
  const to = deps.now();
  const from = new Date(to.getTime() - params.windowHours * 3600_000);
  const rows = await deps.clickhouse.query<{ item: string; score: number; events: string }>(sql`
    SELECT item, sum(w) AS score, count() AS events FROM (
      SELECT item_id AS item, ${fragment(weightExpression())} AS w
      FROM events FINAL WHERE event_time >= ${from} AND event_time < ${to} AND item_id != ''
      UNION ALL
      SELECT arrayJoin(item_ids) AS item, ${EVENT_WEIGHTS.purchase} AS w
      FROM events FINAL WHERE type = 'purchase' AND event_time >= ${from} AND event_time < ${to}
    ) WHERE w > 0
    GROUP BY item ORDER BY score DESC, item LIMIT ${params.topN}`);
  const artifact: PopularityArtifact = {
    items: rows.map((r) => ({ itemId: r.item, score: Number(r.score) })),
  };
  const version = `${to.toISOString().replace(/[-:.]/g, '')}-${randomBytes(3).toString('hex')}`;
  const manifest = await deps.registry.save(
    {
      model: POPULARITY_MODEL,
      version,
      createdAt: to.toISOString(),
      dataWindow: { from: from.toISOString(), to: to.toISOString() },
      metrics: { items: artifact.items.length, events: rows.reduce((sum, r) => sum + Number(r.events), 0) },
      hyperParameters: { ...params, weights: EVENT_WEIGHTS },
    },
    artifact,
  );
  await deps.publish(manifest);
  return manifest;
}
