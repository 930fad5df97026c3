/**
 * The publishing guardrail: a candidate replaces the live version only when, on the same recent
 * held-out window, neither HR@10 nor NDCG@10 falls more than `tolerance` (absolute) below the live
 * version's. Too few held-out cases cannot tell two models apart, so the candidate is held — it
 * stays the head of training and its successor is judged on a larger window.
 */
import type { HoldoutMetrics } from '../learning/holdout.js';

export interface GuardrailConfig {
  /** Largest allowed drop of HR@10 or NDCG@10 against the live version (absolute, e.g. 0.01). */
  readonly tolerance: number;
  /** Fewer held-out cases than this: no verdict, the candidate is held. */
  readonly minCases: number;
}

export type GuardrailAction = 'publish' | 'reject' | 'hold';

export interface Verdict {
  readonly action: GuardrailAction;
  readonly reason: string;
}

const fmt = (value: number): string => value.toFixed(4);

export function judge(
  candidate: HoldoutMetrics,
  live: { readonly version: string; readonly metrics: HoldoutMetrics; readonly pinned: boolean } | undefined,
  config: GuardrailConfig,
): Verdict {
  if (live === undefined) return { action: 'publish', reason: 'no live version yet' };
  if (live.pinned) return { action: 'hold', reason: `live version ${live.version} is pinned` };
  if (candidate.cases < config.minCases)
    return {
      action: 'hold',
      reason: `${candidate.cases} held-out cases, fewer than the ${config.minCases} needed to judge`,
    };
  const drops: string[] = [];
  if (candidate.hr10 < live.metrics.hr10 - config.tolerance)
    drops.push(`HR@10 ${fmt(candidate.hr10)} < live ${fmt(live.metrics.hr10)} - ${config.tolerance}`);
  if (candidate.ndcg10 < live.metrics.ndcg10 - config.tolerance)
    drops.push(`NDCG@10 ${fmt(candidate.ndcg10)} < live ${fmt(live.metrics.ndcg10)} - ${config.tolerance}`);
  if (drops.length > 0) return { action: 'reject', reason: `regressed: ${drops.join('; ')}` };
  return {
    action: 'publish',
    reason: `within tolerance ${config.tolerance}: HR@10 ${fmt(candidate.hr10)} vs ${fmt(live.metrics.hr10)}, NDCG@10 ${fmt(candidate.ndcg10)} vs ${fmt(live.metrics.ndcg10)}`,
  };
}

/**
 * Drift of a live model: how far its held-out metrics fell below those it was published with.
 * Positive = worse now. The alert fires when either exceeds the bound.
 */
export function holdoutDrift(
  atPublish: Pick<HoldoutMetrics, 'hr10' | 'ndcg10'>,
  now: Pick<HoldoutMetrics, 'hr10' | 'ndcg10'>,
  bound: number,
): { hr10: number; ndcg10: number; alert: boolean } {
  const hr10 = atPublish.hr10 - now.hr10;
  const ndcg10 = atPublish.ndcg10 - now.ndcg10;
  return { hr10, ndcg10, alert: hr10 > bound || ndcg10 > bound };
}
