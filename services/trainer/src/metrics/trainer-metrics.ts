/** The trainer's model-quality metrics (rec_trainer_…), registered once per process. */
import type { Gauge, Counter } from '@recstream/metrics';
import type { ServiceMetrics } from '@recstream/metrics';

export interface TrainerMetrics {
  /** Held-out HR@10 by model and role (candidate just trained, live as last measured). */
  readonly holdoutHr10: Gauge<'model' | 'role'>;
  readonly holdoutNdcg10: Gauge<'model' | 'role'>;
  /** 1 while the live version's held-out metrics have fallen beyond the drift bound. */
  readonly driftAlert: Gauge<'model'>;
  /** Guardrail and manual decisions by action. */
  readonly decisions: Counter<'model' | 'action'>;
  /** Events learned by published and unpublished versions alike. */
  readonly eventsLearned: Counter<'model'>;
}

export function createTrainerMetrics(metrics: ServiceMetrics): TrainerMetrics {
  return {
    holdoutHr10: metrics.gauge('holdout_hr10', 'HR@10 on the newest held-out events', ['model', 'role']),
    holdoutNdcg10: metrics.gauge('holdout_ndcg10', 'NDCG@10 on the newest held-out events', [
      'model',
      'role',
    ]),
    driftAlert: metrics.gauge(
      'holdout_drift_alert',
      "1 when the live version's held-out HR@10 or NDCG@10 fell more than the drift bound below its values at publish",
      ['model'],
    ),
    decisions: metrics.counter('model_decisions_total', 'Publishing decisions by action', [
      'model',
      'action',
    ]),
    eventsLearned: metrics.counter('events_learned_total', 'Events learned by new model versions', ['model']),
  };
}
