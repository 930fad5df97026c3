/** Search answers by outcome, and searches ranked without the shopper's features. */
import type { ServiceMetrics } from '@recstream/metrics';

export type SearchOutcome = 'matched' | 'close_matches' | 'popular';

export interface SearchMetrics {
  answered(outcome: SearchOutcome): void;
  /** The feature store failed or was slow: relevance-only order, or no popular fallback. */
  degraded(): void;
}

export function createSearchMetrics(metrics: ServiceMetrics): SearchMetrics {
  const answers = metrics.counter(
    'search_answers_total',
    'Searches answered, by outcome: matched, close_matches (no exact match), popular (nothing close)',
    ['outcome'],
  );
  const degraded = metrics.counter(
    'search_degraded_total',
    'Searches answered without the feature store (it failed or exceeded its budget)',
  );
  return {
    answered: (outcome) => answers.inc({ outcome }),
    degraded: () => degraded.inc(),
  };
}
