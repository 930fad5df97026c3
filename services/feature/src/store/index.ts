export {
  createFeatureStore,
  type ApplyMode,
  type FeatureStore,
  type FeatureStoreOptions,
  type RefusedEvent,
} from './feature-store.js';
export type { CompiledEvent, FeatureOp } from './ops.js';
export { SEEN_SET_TTL_S, seenBucketOf, seenSetTtlS } from './seen-ids.js';
export { FULL_RATIO, assertStoreHasRoom, readStoreMemory } from './store-memory.js';
export { assertStorePresent, initialiseStoreState, markRebuilt, REBUILD_COMMAND } from './store-state.js';
export { RENEWAL_PERIOD_MS } from './expiry-renewals.js';
