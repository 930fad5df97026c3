export { createFeatureStore, type ApplyMode, type FeatureStore } from './feature-store.js';
export type { CompiledEvent, FeatureOp } from './ops.js';
export { assertStorePresent, initialiseStoreState, markRebuilt, REBUILD_COMMAND } from './store-state.js';
