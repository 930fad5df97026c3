/** What the trainer adds to the model registry: the operations that change what serves, and the ClickHouse mirror. */
export {
  keepLive,
  pinVersion,
  publishVersion,
  rollbackModel,
  unpinModel,
  type ModelOperationsDeps,
} from './model-operations.js';
export {
  createClickHouseMirror,
  type Decision,
  type DecisionAction,
  type HoldoutNumbers,
  type RegistryMirror,
} from './registry-mirror.js';
