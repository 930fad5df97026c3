// What the trainer and serving load at run time: the TensorFlow backend, the sequence model
// (training, incremental update, scoring, artifacts) and the ranking metrics its training checks
// itself with. Offline research (datasets, protocols, baselines, the two-stage ranker, the
// evaluation CLI, the prequential replay) lives in @recstream/lab, which no service depends on.
export {
  assertNativeBackend,
  loadTensorFlow,
  nativeBindingPath,
  TENSORFLOW_SETUP_COMMAND,
  type TensorFlow,
} from './backend.js';
export type { InteractionDataset, Recommender, ScoreQuery, UserSequence } from './recommender.js';
export { createRandom, type Random } from './random.js';
export {
  checkTrainingData,
  distinctItems,
  itemCounts,
  sortedHas,
  type TrainContext,
} from './training-data.js';

export {
  evaluate,
  type EvalCase,
  type EvaluateOptions,
  type EvaluationReport,
  type MetricsAtK,
} from './evaluation/evaluate.js';
export { rankOf, selectTopK } from './evaluation/top-k.js';
export { idealDcg, intraListDiversity, jaccard, listMetrics, selfInformation } from './evaluation/metrics.js';

export {
  SparseEmbeddingTable,
  type EmbeddingId,
  type EvictionPolicy,
  type SparseEmbeddingTableOptions,
  type TableSnapshot,
} from './embedding/sparse-embedding-table.js';
export {
  createSparseOptimizer,
  type SparseOptimizer,
  type SparseOptimizerConfig,
} from './embedding/sparse-optimizer.js';
export {
  DEFAULT_SEQUENCE_HYPER_PARAMETERS,
  resolveSequenceHyperParameters,
  type SequenceHyperParameters,
} from './sequence/hyper-parameters.js';
export { SEQUENCE_MODEL_NAME, SequenceRecommender, type SequenceCatalog } from './sequence/sequence-model.js';
export { SequenceEncoder, dot, type DenseValues } from './sequence/sequence-encoder.js';
export {
  trainSequenceModel,
  type SequenceTrainingContext,
  type SequenceTrainingProgress,
  type SequenceTrainingSummary,
  type TrainedSequenceModel,
} from './sequence/train.js';
export { ItemIndex } from './sequence/item-index.js';
export {
  updateSequenceModel,
  type IncrementalUpdateOptions,
  type IncrementalUpdateSummary,
  type UpdateSequence,
} from './sequence/incremental-update.js';

export {
  loadSequenceModel,
  saveSequenceModel,
  SEQUENCE_ARTIFACT_FORMAT_VERSION,
  type DataWindow,
  type LoadedSequenceModel,
  type SaveSequenceModelOptions,
  type SequenceArtifactManifest,
} from './artifacts/sequence-artifact.js';
// The artifact file format (checksummed files beside a manifest), shared by other model kinds.
export {
  isFileList,
  readArtifactFile,
  readManifest,
  writeArtifact,
  type ArtifactFileEntry,
} from './artifacts/artifact-files.js';
export { assertLittleEndianHost, BYTE_ORDER, bytesOf, float32From } from './artifacts/binary.js';
