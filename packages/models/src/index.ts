export {
  assertNativeBackend,
  loadTensorFlow,
  nativeBindingPath,
  TENSORFLOW_SETUP_COMMAND,
  type TensorFlow,
} from './backend.js';
export type { InteractionDataset, Recommender, ScoreQuery, UserSequence } from './recommender.js';
export { createRandom, type Random } from './random.js';

export { AMAZON_BEAUTY_FILES, loadAmazonBeauty } from './datasets/amazon-beauty.js';
export { loadMovieLens100k, MOVIELENS_100K_FILES, MOVIELENS_GENRE_COUNT } from './datasets/movielens.js';

export {
  leaveOneOutSplit,
  stratifiedSplit,
  type EvalCase,
  type LeaveOneOutSplit,
  type StratifiedSplit,
  type StratifiedSplitOptions,
} from './evaluation/splits.js';
export {
  evaluate,
  type EvaluateOptions,
  type EvaluationReport,
  type MetricsAtK,
} from './evaluation/evaluate.js';
export { rankOf, selectTopK } from './evaluation/top-k.js';
export { idealDcg, intraListDiversity, jaccard, listMetrics, selfInformation } from './evaluation/metrics.js';
export {
  MODEL_REGISTRY,
  modelFactory,
  resolveHyperparameters,
  type Hyperparameters,
  type ModelContext,
  type ModelFactory,
} from './evaluation/model-registry.js';
export {
  PROTOCOLS,
  type EvaluationTarget,
  type Protocol,
  type ProtocolSplit,
  type PublishedRow,
} from './evaluation/protocols.js';
export {
  runBenchmark,
  type BenchmarkOptions,
  type BenchmarkPhase,
  type BenchmarkReport,
  type ModelResult,
  type ModelRun,
} from './evaluation/run-benchmark.js';
export {
  flattenMetrics,
  formatTable,
  summarise,
  summariseRuns,
  type MetricValues,
  type Summary,
} from './evaluation/report.js';

export { PopularityRecommender, trainPopularity } from './baselines/popularity.js';
export {
  ITEM_KNN_DEFAULTS,
  ItemKnnRecommender,
  trainItemKnn,
  type ItemKnnOptions,
  type ItemSimilarity,
  type NeighbourGraph,
} from './baselines/item-knn.js';
export { BPR_DEFAULTS, BprRecommender, trainBpr, type BprModel, type BprOptions } from './baselines/bpr.js';
export { checkTrainingData, itemCounts, type TrainContext } from './baselines/training-data.js';

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
export {
  trainSequenceModel,
  type SequenceTrainingContext,
  type SequenceTrainingProgress,
  type SequenceTrainingSummary,
  type TrainedSequenceModel,
} from './sequence/train.js';
export {
  loadSequenceModel,
  saveSequenceModel,
  SEQUENCE_ARTIFACT_FORMAT_VERSION,
  type DataWindow,
  type LoadedSequenceModel,
  type SaveSequenceModelOptions,
  type SequenceArtifactManifest,
} from './artifacts/sequence-artifact.js';
