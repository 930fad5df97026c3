/** Settings and dependencies shared by the sequence model's jobs. */
import type { ClickHouse } from '@recstream/clickhouse';
import type { Logger } from '@recstream/logger';
import type { SequenceHyperParameters, TensorFlow } from '@recstream/models';
import type { GuardrailConfig } from '../guardrails/guardrail.js';
import type { TrainerMetrics } from '../metrics/trainer-metrics.js';
import type { ModelOperationsDeps } from '../registry/model-operations.js';

export interface SequenceSettings {
  /** Registry name of the model, e.g. `sasrec`. */
  readonly model: string;
  /** Most events one incremental update learns (and holds out) at once. */
  readonly maxBatchEvents: number;
  /** Most events a full training reads, from the start of the log. */
  readonly maxFullTrainEvents: number;
  /** Share of each batch (its newest events) held out to judge the candidate. */
  readonly holdoutFraction: number;
  /** Older shoppers replayed beside the new events in an incremental update. */
  readonly replayUsers: number;
  /** Passes over the new events and the replay in an incremental update. */
  readonly epochs: number;
  /** Hyper-parameters of a full training (an incremental update keeps its parent's). */
  readonly hyper: Partial<SequenceHyperParameters>;
  readonly guardrail: GuardrailConfig;
  /** Drop of the live version's held-out metrics (absolute) that raises the drift alert. */
  readonly driftBound: number;
  readonly seed: number;
}

export interface SequenceJobDeps extends ModelOperationsDeps {
  readonly clickhouse: ClickHouse;
  readonly tf: TensorFlow;
  readonly metrics: TrainerMetrics;
  readonly logger: Logger;
  readonly now: () => Date;
  /** A short random suffix for version names. */
  readonly suffix: () => string;
  /** Reports the job's stage and percent done (BullMQ progress). */
  readonly progress?: ((stage: string, percent: number) => Promise<void>) | undefined;
}
