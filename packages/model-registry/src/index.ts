/**
 * The model registry on a filesystem path, one definition for both sides: the layout, the
 * manifest and state validation (contracts in @recstream/schemas), the writer the trainer uses and
 * the read-only verifier serving uses, and the announcement of a live version.
 */
export * from './layout.js';
export {
  EMPTY_STATE,
  parseModelPublished,
  parseVersionManifest,
  publishedMessage,
  readRegistryState,
  readVersionManifest,
  statusOf,
  type RegistryState,
  type VersionManifest,
  type VersionRecord,
  type VersionStatus,
} from './manifest.js';
export { createRegistryReader, type RegistryReader, type RegistryVersion } from './reader.js';
export { updateState, withStateLock, writeState } from './state.js';
export { sha256, verifyArtifact, verifyEntry } from './verify.js';
export { createModelRegistry, newVersionName, type ModelRegistry, type NewVersion } from './writer.js';
