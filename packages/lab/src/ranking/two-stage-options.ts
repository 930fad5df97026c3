/**
 * The two-stage system's hyper-parameters as one flat record, the shape the evaluation harness
 * passes (`--set sasrec-ranker.key=value`): the sequence model's own keys unchanged, the ranker's
 * and retrieval's under names of their own.
 */
import { DEFAULT_SEQUENCE_HYPER_PARAMETERS, type SequenceHyperParameters } from '@recstream/models';
import {
  DEFAULT_RANKER_HYPER_PARAMETERS,
  parseHidden,
  type RankerHyperParameters,
} from './ranker-hyper-parameters.js';
import { DEFAULT_RETRIEVAL_OPTIONS, type RetrievalOptions } from './two-stage.js';

export type TwoStageFlatOptions = SequenceHyperParameters &
  RetrievalOptions & {
    /** Hidden widths, comma-separated (`none` for a linear model). */
    readonly rankerHidden: string;
    readonly rankerLoss: string;
    readonly rankerLearningRate: number;
    readonly rankerL2: number;
    readonly rankerBatchSize: number;
    readonly rankerEpochs: number;
    readonly rankerPatience: number;
  };

export const TWO_STAGE_DEFAULTS: TwoStageFlatOptions = {
  ...DEFAULT_SEQUENCE_HYPER_PARAMETERS,
  ...DEFAULT_RETRIEVAL_OPTIONS,
  rankerHidden: DEFAULT_RANKER_HYPER_PARAMETERS.hidden.join(','),
  rankerLoss: DEFAULT_RANKER_HYPER_PARAMETERS.loss,
  rankerLearningRate: DEFAULT_RANKER_HYPER_PARAMETERS.learningRate,
  rankerL2: DEFAULT_RANKER_HYPER_PARAMETERS.l2,
  rankerBatchSize: DEFAULT_RANKER_HYPER_PARAMETERS.batchSize,
  rankerEpochs: DEFAULT_RANKER_HYPER_PARAMETERS.maxEpochs,
  rankerPatience: DEFAULT_RANKER_HYPER_PARAMETERS.patience,
};

/** Splits the flat record into the parts `trainTwoStage` takes (each part validated there). */
export function splitTwoStageOptions(options: TwoStageFlatOptions): {
  sequence: SequenceHyperParameters;
  retrieval: RetrievalOptions;
  ranker: Partial<RankerHyperParameters>;
} {
  const {
    candidates,
    covisitCandidates,
    popularCandidates,
    rankerHidden,
    rankerLoss,
    rankerLearningRate,
    rankerL2,
    rankerBatchSize,
    rankerEpochs,
    rankerPatience,
    ...sequence
  } = options;
  return {
    sequence,
    retrieval: { candidates, covisitCandidates, popularCandidates },
    ranker: {
      hidden: parseHidden(rankerHidden),
      // Checked by resolveRankerHyperParameters, which names the allowed values.
      loss: rankerLoss as RankerHyperParameters['loss'],
      learningRate: rankerLearningRate,
      l2: rankerL2,
      batchSize: rankerBatchSize,
      maxEpochs: rankerEpochs,
      patience: rankerPatience,
    },
  };
}
