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
export { SequenceEncoder, dot, type DenseValues } from './sequence/sequence-encoder.js';
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

export {
  featureIndex,
  PAGE_TYPES,
  RANKING_FEATURE_COUNT,
  RANKING_FEATURE_SCHEMA_VERSION,
  RANKING_FEATURES,
  rankingFeatures,
  type AffinityInput,
  type CandidateInput,
  type FeatureSpec,
  type ItemStatsInput,
  type ModelScoresInput,
  type PageType,
  type RankingContext,
  type RankingRequest,
  type ShopperInput,
} from './ranking/features.js';
export {
  DEFAULT_RANKER_HYPER_PARAMETERS,
  parseHidden,
  resolveRankerHyperParameters,
  type RankerHyperParameters,
  type RankerLoss,
} from './ranking/ranker-hyper-parameters.js';
export {
  fitNormalisation,
  RankerModel,
  trainRanker,
  type LayerWeights,
  type Normalisation,
  type RankerEpoch,
  type RankerState,
  type RankerTrainingContext,
  type RankerTrainingSummary,
  type TrainedRanker,
} from './ranking/ranker-model.js';
export { concatGroups, type RankingGroups } from './ranking/ranking-groups.js';
export { groupNdcg, rocAuc } from './ranking/ranking-metrics.js';
export { mergeCandidates, type CandidateList, type CandidateSource } from './ranking/candidates.js';
export {
  offlineFeatureSource,
  type OfflineFeatureSource,
  type OfflineItem,
} from './ranking/offline-features.js';
export {
  CandidateGenerator,
  DEFAULT_RETRIEVAL_OPTIONS,
  holdOutLastItems,
  trainTwoStage,
  TWO_STAGE_MODEL_NAME,
  TwoStageRecommender,
  type RetrievalOptions,
  type StageOneModel,
  type TrainedTwoStage,
  type TwoStageEvent,
  type TwoStageTrainingContext,
  type TwoStageTrainingSummary,
} from './ranking/two-stage.js';
export {
  loadRanker,
  RANKER_ARTIFACT_FORMAT_VERSION,
  saveRanker,
  type LoadedRanker,
  type RankerArtifactManifest,
  type SaveRankerOptions,
} from './artifacts/ranker-artifact.js';
