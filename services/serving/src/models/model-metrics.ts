/** Metrics of the served model: loads, swaps, the live version, scoring time, how answers were ranked. */
import type { ServiceMetrics } from '@recstream/metrics';

export type LoadOutcome = 'loaded' | 'failed' | 'superseded';
/** How the model ranker ordered an answer. */
export type RankingOutcome = 'model' | 'no_shopper' | 'no_history' | 'no_model' | 'model_error';

export interface ModelMetrics {
  load(model: string, outcome: LoadOutcome): void;
  swapped(model: string, from: string | undefined, to: string): void;
  /** Starts timing one shopper's encoding; call the result when it ends. */
  scoring(model: string): () => void;
  ranked(model: string, outcome: RankingOutcome): void;
  /** The serving version's nearest-item index: share of the exact top 20 it finds. */
  indexRecall(model: string, recall: number): void;
}

export function createModelMetrics(metrics: ServiceMetrics): ModelMetrics {
  const loads = metrics.counter(
    'model_loads_total',
    'Model versions loaded (verified and warmed), failed (missing, corrupt, unloadable: the previous version keeps serving) or superseded by a newer one while loading',
    ['model', 'outcome'],
  );
  const swaps = metrics.counter(
    'model_swaps_total',
    'Live model version replaced by another in this process (the first load is not a swap)',
    ['model'],
  );
  const version = metrics.gauge(
    'model_version_info',
    'The version this process serves: 1 for the live one (no series while none is loaded)',
    ['model', 'version'],
  );
  const loaded = metrics.gauge('model_loaded', '1 while a version of the model serves, else 0', ['model']);
  const scoring = metrics.histogram(
    'model_scoring_duration_seconds',
    "One shopper's history encoded by the serving version (JS encoder)",
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    ['model'],
  );
  const ranked = metrics.counter(
    'model_rankings_total',
    'Answers the model ranker ordered: by the model, or by blended scores (no shopper, no history the model knows, no model, a scoring error)',
    ['model', 'outcome'],
  );
  const recall = metrics.gauge(
    'model_index_recall',
    "Share of the exact top 20 items the serving version's nearest-item index finds, measured on probe shoppers when it loaded (1: exact search)",
    ['model'],
  );
  return {
    load: (model, outcome) => loads.inc({ model, outcome }),
    swapped: (model, from, to) => {
      if (from !== undefined) {
        swaps.inc({ model });
        version.remove({ model, version: from });
      }
      version.set({ model, version: to }, 1);
      loaded.set({ model }, 1);
    },
    scoring: (model) => scoring.startTimer({ model }),
    ranked: (model, outcome) => ranked.inc({ model, outcome }),
    indexRecall: (model, value) => recall.set({ model }, value),
  };
}
