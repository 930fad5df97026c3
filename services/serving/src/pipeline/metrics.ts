/** The pipeline's metrics, registered once per app on the service's registry. */
import { LATENCY_BUCKETS_S, type ServiceMetrics } from '@recstream/metrics';
import type { DegradedReason } from '@recstream/schemas';
import type { FilterName } from './filters.js';

export const STAGES = [
  'read_context',
  'read_candidates',
  'read_items',
  'blend',
  'filter',
  'rank',
  'rules',
  'diversity',
  'exploration',
] as const;
export type Stage = (typeof STAGES)[number];

export interface PipelineMetrics {
  /** Starts timing a stage; call the result when it ends. */
  time(stage: Stage): () => void;
  degraded(reason: DegradedReason | 'no_fallback'): void;
  filtered(counts: Partial<Record<FilterName, number>>): void;
}

export function createPipelineMetrics(metrics: ServiceMetrics): PipelineMetrics {
  const stages = metrics.histogram(
    'stage_duration_seconds',
    'Recommendation pipeline stages: feature reads, blending, filtering, ranking, rules, diversity',
    // Stages are sub-millisecond to tens of milliseconds: finer at the bottom than request latency.
    [0.0001, 0.00025, 0.0005, ...LATENCY_BUCKETS_S],
    ['stage'],
  );
  const degraded = metrics.counter(
    'degraded_total',
    'Answers not from the full pipeline because the feature store was slow or down (no_fallback: 503)',
    ['reason'],
  );
  const filtered = metrics.counter('filtered_items_total', 'Candidates dropped, by filter', ['filter']);
  return {
    time: (stage) => stages.startTimer({ stage }),
    degraded: (reason) => degraded.inc({ reason }),
    filtered: (counts) => {
      for (const [filter, count] of Object.entries(counts)) if (count > 0) filtered.inc({ filter }, count);
    },
  };
}
