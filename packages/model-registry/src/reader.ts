/**
 * The registry read-only, as serving sees it: which version is live, and a verified load of a
 * sequence model version. Every load checks the version manifest's checksum of the artifact's
 * manifest, then `loadSequenceModel` checks every file against that manifest, so a corrupt or
 * partial version is refused with an error naming the file before a byte of it is used.
 */
import { join } from 'node:path';
import { loadSequenceModel, type LoadedSequenceModel, type TensorFlow } from '@recstream/models';
import { ARTIFACT_DIR, checkVersionName, invalid, versionDir } from './layout.js';
import { readRegistryState, readVersionManifest } from './manifest.js';
import { verifyEntry } from './verify.js';

/** A verified, loaded version of a sequence model with its id map. */
export interface RegistryVersion {
  readonly model: string;
  readonly version: string;
  readonly loaded: LoadedSequenceModel;
  /** Original item id of each dense index. */
  readonly itemIds: readonly string[];
}

export interface RegistryReader {
  readonly root: string;
  /** The live version's name, or undefined when the model has none (or no state file yet). */
  liveVersion(model: string): Promise<string | undefined>;
  /** Verifies and loads a sequence model version. Throws a PermanentError naming what is wrong. */
  load(model: string, version: string, tf: TensorFlow): Promise<RegistryVersion>;
}

export function createRegistryReader(root: string): RegistryReader {
  return {
    root,
    async liveVersion(model) {
      const { live } = await readRegistryState(root, model);
      return live === null ? undefined : checkVersionName(live);
    },
    async load(model, version, tf) {
      const dir = versionDir(root, model, version);
      const manifest = await readVersionManifest(root, model, version);
      if (manifest.artifact.format !== 'sequence-model')
        throw invalid(`${model}/${version} is a ${manifest.artifact.format} artifact, not a sequence model`);
      await verifyEntry(dir, manifest);
      const loaded = await loadSequenceModel(join(dir, ARTIFACT_DIR), tf);
      if (loaded.itemIds === undefined) {
        loaded.model.dispose();
        throw invalid(`${model}/${version} was saved without item ids; serving cannot map its items`);
      }
      return { model, version, loaded, itemIds: loaded.itemIds };
    },
  };
}
