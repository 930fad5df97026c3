/**
 * The popularity baseline: items ranked by interactions in a recent window of the behaviour log,
 * weighted by event type exactly as the online feature is. It is the fallback every other model
 * is compared with, and what serving shows when nothing better is available. Being a baseline it
 * is published as soon as it is trained (there is nothing to guard it against).
 */
import { randomBytes } from 'node:crypto';
import { fragment, sql, type ClickHouse } from '@recstream/clickhouse';
import { EVENT_WEIGHTS } from '@recstream/features';
import { newVersionName, type VersionRecord } from '@recstream/model-registry';
import { publishVersion, type ModelOperationsDeps } from '../registry/model-operations.js';

export const POPULARITY_MODEL = 'popularity';

export interface PopularityArtifact {
  readonly items: readonly { readonly itemId: string; readonly score: number }[];
}

export interface TrainPopularityDeps extends ModelOperationsDeps {
  readonly clickhouse: ClickHouse;
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
): Promise<VersionRecord> {
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
  const events = rows.reduce((sum, r) => sum + Number(r.events), 0);
  const saved = await deps.registry.saveJson(
    {
      model: POPULARITY_MODEL,
      version: newVersionName(to, randomBytes(3).toString('hex')),
      kind: 'baseline',
      parent: null,
      createdAt: to.toISOString(),
      dataWindow: { from: from.toISOString(), to: to.toISOString(), events },
      // A baseline recomputes its window each time; it learns nothing incrementally.
      watermark: {},
      metrics: { items: artifact.items.length, events },
      hyperParameters: { ...params, weights: EVENT_WEIGHTS },
    },
    artifact,
  );
  return publishVersion(deps, POPULARITY_MODEL, saved.version, {
    action: 'publish',
    reason: 'baseline: published when trained',
  });
}
