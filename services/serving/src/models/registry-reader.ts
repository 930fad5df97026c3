/**
 * Serving's read-only view of the trainer's filesystem model registry
 * (services/trainer/README.md, Registry):
 *
 *   <root>/_registry/<model>.json            { live, … }: which version serves
 *   <root>/<model>/<version>/manifest.json   { artifact: { format, sha256 }, … }
 *   <root>/<model>/<version>/artifact/       the sequence model; its manifest.json lists each file's SHA-256
 *
 * Every load checks the version manifest's checksum of the artifact's manifest, then
 * `loadSequenceModel` checks every file against that manifest, so a corrupt or partial version is
 * refused with an error naming the file, before a byte of it is used. Names from the registry or
 * a Kafka message are checked against the trainer's patterns before they become paths.
 *
 * (Mirrors the trainer's `createModelRegistry` reads; a shared registry package would let both
 * use one implementation.)
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ERROR_CODES, PermanentError } from '@recstream/errors';
import { loadSequenceModel, type LoadedSequenceModel, type TensorFlow } from '@recstream/models';

/** The trainer's naming rules (services/trainer/src/registry/model-registry.ts). */
export const MODEL_NAME_PATTERN = /^[a-z][a-z0-9-]{0,63}$/;
export const VERSION_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

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

function invalid(message: string, cause?: unknown): PermanentError {
  return new PermanentError(
    ERROR_CODES.invalidInput,
    `model registry: ${message}`,
    cause === undefined ? {} : { cause },
  );
}

export function checkModelName(model: string): string {
  if (!MODEL_NAME_PATTERN.test(model))
    throw invalid(`model name ${JSON.stringify(model)} must match ${MODEL_NAME_PATTERN.source}`);
  return model;
}

export function checkVersionName(version: string): string {
  if (!VERSION_NAME_PATTERN.test(version))
    throw invalid(`version ${JSON.stringify(version)} must match ${VERSION_NAME_PATTERN.source}`);
  return version;
}

async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw invalid(`${what} ${path} cannot be read`, error);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw invalid(`${what} ${path} is not valid JSON`, error);
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function createRegistryReader(root: string): RegistryReader {
  return {
    root,
    async liveVersion(model) {
      const path = join(root, '_registry', `${checkModelName(model)}.json`);
      let state: unknown;
      try {
        state = JSON.parse(await readFile(path, 'utf8')) as unknown;
      } catch (error) {
        // No state file: nothing was ever published. Anything else is a broken registry.
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw invalid(`registry state ${path} cannot be read`, error);
      }
      const live = isRecord(state) ? state['live'] : undefined;
      if (live === null || live === undefined) return undefined;
      if (typeof live !== 'string') throw invalid(`registry state ${path} has a malformed live version`);
      return checkVersionName(live);
    },
    async load(model, version, tf) {
      const dir = join(root, checkModelName(model), checkVersionName(version));
      const manifest = await readJson(join(dir, 'manifest.json'), 'version manifest');
      const artifact = isRecord(manifest) ? manifest['artifact'] : undefined;
      if (!isRecord(artifact) || typeof artifact['sha256'] !== 'string')
        throw invalid(`${dir}/manifest.json is not a version manifest`);
      if (artifact['format'] !== 'sequence-model')
        throw invalid(
          `${model}/${version} is a ${String(artifact['format'])} artifact, not a sequence model`,
        );
      const entry = join(dir, 'artifact', 'manifest.json');
      const bytes = await readFile(entry).catch((error: unknown) => {
        throw invalid(`artifact of ${model}/${version} is corrupt or partial: ${entry} is missing`, error);
      });
      if (createHash('sha256').update(bytes).digest('hex') !== artifact['sha256'])
        throw invalid(
          `artifact of ${model}/${version} is corrupt or partial: ${entry} does not match its checksum`,
        );
      const loaded = await loadSequenceModel(join(dir, 'artifact'), tf);
      if (loaded.itemIds === undefined) {
        loaded.model.dispose();
        throw invalid(`${model}/${version} was saved without item ids; serving cannot map its items`);
      }
      return { model, version, loaded, itemIds: loaded.itemIds };
    },
  };
}
