export { LiveModel, type LiveModelOptions, type LiveModelState } from './live-model.js';
export { createModelMetrics, type ModelMetrics } from './model-metrics.js';
export { startModelService, type ModelService, type ModelServiceOptions } from './model-service.js';
export { createModelUpdatesConsumer, instanceGroupId, parseAnnouncement } from './model-updates.consumer.js';
export { combineScores, createSequenceRanker } from './sequence-ranker.js';
export { ServedModel, type ShopperEncoding } from './served-model.js';
export { ItemIndex, topK, type Neighbour } from './item-index.js';
