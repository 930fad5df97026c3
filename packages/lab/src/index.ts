// Offline research on the models: dataset loaders, the published protocols and their splits, the
// evaluation harness and CLI (`pnpm eval`), baselines, the two-stage ranker and the prequential
// evaluation of online learning (`pnpm bench:online`). No service depends on this package; what a
// deployed process loads lives in @recstream/models.
export { AMAZON_BEAUTY_FILES, loadAmazonBeauty } from './datasets/amazon-beauty.js';
export { loadMovieLens100k, MOVIELENS_100K_FILES, MOVIELENS_GENRE_COUNT } from './datasets/movielens.js';

export {
  leaveOneOutSplit,
  stratifiedSplit,
  type LeaveOneOutSplit,
  type StratifiedSplit,
  type StratifiedSplitOptions,
} from './evaluation/splits.js';
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
} from './ranking/ranker-artifact.js';

export { prequentialCases, type PrequentialCase, type StreamEvent } from './prequential/prequential-cases.js';
export { trainInitialModel, type InitialModel } from './prequential/initial-model.js';
export {
  runPrequential,
  type PrequentialInput,
  type PrequentialOptions,
  type PrequentialResult,
  type UpdateCadence,
  type UpdateRecord,
} from './prequential/prequential.js';
export { scoreCases, type CaseScores } from './prequential/score-cases.js';
export {
  onlineVersusFrozen,
  registryVersions,
  scoreByVersion,
  type LoadedVersion,
  type VersionSource,
} from './prequential/versioned-scoring.js';
export {
  pairedBootstrap,
  prequentialReport,
  type PrequentialReport,
  type ReportOptions,
} from './prequential/prequential-report.js';
export {
  covers,
  eventPositions,
  learningDelays,
  LiveVersionTimeline,
  sendBatch,
  storedEvents,
  waitForStored,
  type AcceptedBatch,
  type EventPosition,
  type LiveChange,
  type LiveVersionSource,
  type Watermark,
} from './prequential/pipeline-replay.js';
