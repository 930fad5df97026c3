/**
 * Mirrors the registry into ClickHouse (`model_versions`, `model_decisions`, migration 0011) so
 * versions and decisions are queryable beside the behaviour log. The filesystem registry is the
 * source of truth: a version row is rewritten whole after every change (the table keeps the
 * highest revision), so a mirror write that failed is repaired by the next one.
 */
import type { ClickHouse } from '@recstream/clickhouse';
import { formatDateTime } from '@recstream/clickhouse';
import type { VersionRecord } from '@recstream/model-registry';

export type DecisionAction = 'publish' | 'reject' | 'hold' | 'promote' | 'rollback' | 'pin' | 'unpin';

export interface HoldoutNumbers {
  readonly hr10: number;
  readonly ndcg10: number;
}

export interface Decision {
  readonly model: string;
  readonly version: string;
  readonly liveVersion: string | null;
  readonly action: DecisionAction;
  readonly reason: string;
  readonly holdoutCases: number;
  readonly candidate?: HoldoutNumbers | undefined;
  readonly live?: HoldoutNumbers | undefined;
  readonly tolerance: number;
}

export interface RegistryMirror {
  versions(records: readonly VersionRecord[]): Promise<void>;
  decision(decision: Decision): Promise<void>;
}

const EPOCH = new Date(0);

function time(iso: string | null): string {
  return formatDateTime(iso === null ? EPOCH : new Date(iso));
}

export function createClickHouseMirror(clickhouse: ClickHouse, now: () => Date): RegistryMirror {
  return {
    async versions(records) {
      const at = now();
      await clickhouse.insert(
        'model_versions',
        records.map((r) => ({
          model: r.model,
          version: r.version,
          parent: r.parent ?? '',
          kind: r.kind,
          status: r.status,
          pinned: r.pinned ? 1 : 0,
          created_at: time(r.createdAt),
          data_from: time(r.dataWindow.from),
          data_to: time(r.dataWindow.to),
          watermark: JSON.stringify(r.watermark),
          events_learned: r.dataWindow.events,
          metrics: JSON.stringify(r.metrics),
          sha256: r.artifact.sha256,
          updated_at: formatDateTime(at),
          revision: at.getTime(),
        })),
      );
    },
    async decision(d) {
      await clickhouse.insert('model_decisions', [
        {
          decided_at: formatDateTime(now()),
          model: d.model,
          version: d.version,
          live_version: d.liveVersion ?? '',
          action: d.action,
          reason: d.reason,
          holdout_cases: d.holdoutCases,
          candidate_hr10: d.candidate?.hr10 ?? null,
          candidate_ndcg10: d.candidate?.ndcg10 ?? null,
          live_hr10: d.live?.hr10 ?? null,
          live_ndcg10: d.live?.ndcg10 ?? null,
          tolerance: d.tolerance,
        },
      ]);
    },
  };
}
