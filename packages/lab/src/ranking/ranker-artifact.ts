/**
 * Versioned save and load of the ranker, beside the sequence model's artifact. A version is a
 * directory:
 *
 *   manifest.json       format version, feature schema (version and feature names, in vector
 *                       order), architecture, hyper-parameters, seed, data window, metrics,
 *                       training summary, and each file's size + SHA-256
 *   weights.bin         every layer's kernel then bias, float32, in the manifest's layer order
 *   normalisation.bin   the per-feature means then standard deviations, float32
 *
 * A ranker is only meaningful with the feature layout it was trained on, so loading refuses an
 * artifact whose feature schema differs from the code's (`RANKING_FEATURE_SCHEMA_VERSION` and the
 * names), as well as any file that does not match its checksum.
 */
import { ERROR_CODES, PermanentError } from '@recstream/errors';
import {
  assertLittleEndianHost,
  assertNativeBackend,
  BYTE_ORDER,
  bytesOf,
  float32From,
  isFileList,
  loadTensorFlow,
  readArtifactFile,
  readManifest,
  writeArtifact,
  type ArtifactFileEntry,
  type DataWindow,
  type TensorFlow,
} from '@recstream/models';
import { RANKING_FEATURE_SCHEMA_VERSION, RANKING_FEATURES } from '../ranking/features.js';
import { RankerModel, type LayerWeights } from '../ranking/ranker-model.js';
import {
  resolveRankerHyperParameters,
  type RankerHyperParameters,
} from '../ranking/ranker-hyper-parameters.js';

export const RANKER_ARTIFACT_FORMAT = 'recstream.ranker-model';
export const RANKER_ARTIFACT_FORMAT_VERSION = 1;
export const RANKER_MODEL_NAME = 'ranker';

export interface RankerArtifactManifest {
  readonly format: typeof RANKER_ARTIFACT_FORMAT;
  readonly formatVersion: number;
  readonly model: typeof RANKER_MODEL_NAME;
  readonly version: string;
  readonly createdAt: string;
  readonly byteOrder: typeof BYTE_ORDER;
  readonly featureSchema: { readonly version: string; readonly features: readonly string[] };
  readonly architecture: {
    readonly kind: 'mlp';
    readonly activation: 'relu';
    readonly standardisedInputs: true;
    readonly layers: readonly { readonly inputs: number; readonly units: number }[];
  };
  readonly hyperParameters: RankerHyperParameters;
  readonly seed: number;
  readonly dataWindow: DataWindow;
  readonly metrics: Readonly<Record<string, number>>;
  readonly training?: Readonly<Record<string, unknown>>;
  readonly files: readonly ArtifactFileEntry[];
}

export interface SaveRankerOptions {
  /** Directory of this version; must not exist yet. */
  readonly dir: string;
  readonly version: string;
  readonly dataWindow: DataWindow;
  readonly metrics?: Readonly<Record<string, number>>;
  readonly training?: Readonly<Record<string, unknown>>;
  /** Defaults to now; fixed in tests. */
  readonly createdAt?: Date;
}

export interface LoadedRanker {
  readonly model: RankerModel;
  readonly manifest: RankerArtifactManifest;
}

const WEIGHTS_FILE = 'weights.bin';
const NORMALISATION_FILE = 'normalisation.bin';

function invalid(message: string): PermanentError {
  return new PermanentError(ERROR_CODES.invalidInput, `ranker artifact: ${message}`);
}

const featureNames = (): string[] => RANKING_FEATURES.map(({ name }) => name);

export async function saveRanker(
  model: RankerModel,
  options: SaveRankerOptions,
): Promise<RankerArtifactManifest> {
  assertLittleEndianHost();
  if (options.version.length === 0) throw invalid('version must not be empty');
  if (model.width !== RANKING_FEATURES.length)
    throw invalid(
      `the model takes ${model.width} features, schema ${RANKING_FEATURE_SCHEMA_VERSION} has ${RANKING_FEATURES.length}`,
    );
  const layers = model.layerWeights();
  const weights = new Float32Array(
    layers.reduce((sum, layer) => sum + layer.kernel.length + layer.bias.length, 0),
  );
  let offset = 0;
  for (const layer of layers) {
    weights.set(layer.kernel, offset);
    offset += layer.kernel.length;
    weights.set(layer.bias, offset);
    offset += layer.bias.length;
  }
  const normalisation = new Float32Array(model.width * 2);
  normalisation.set(model.normalisation.mean, 0);
  normalisation.set(model.normalisation.std, model.width);
  const files = new Map<string, Uint8Array>([
    [WEIGHTS_FILE, bytesOf(weights)],
    [NORMALISATION_FILE, bytesOf(normalisation)],
  ]);
  return writeArtifact(options.dir, files, (entries) => ({
    format: RANKER_ARTIFACT_FORMAT,
    formatVersion: RANKER_ARTIFACT_FORMAT_VERSION,
    model: RANKER_MODEL_NAME,
    version: options.version,
    createdAt: (options.createdAt ?? new Date()).toISOString(),
    byteOrder: BYTE_ORDER,
    featureSchema: { version: RANKING_FEATURE_SCHEMA_VERSION, features: featureNames() },
    architecture: {
      kind: 'mlp',
      activation: 'relu',
      standardisedInputs: true,
      layers: layers.map(({ inputs, units }) => ({ inputs, units })),
    },
    hyperParameters: model.hyper,
    seed: model.seed,
    dataWindow: options.dataWindow,
    metrics: options.metrics ?? {},
    ...(options.training === undefined ? {} : { training: options.training }),
    files: entries,
  }));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks the parts of the manifest loading relies on; the rest is informational. */
function checkManifest(value: unknown, dir: string): RankerArtifactManifest {
  if (!isRecord(value) || value['format'] !== RANKER_ARTIFACT_FORMAT)
    throw invalid(`${dir} does not hold a ranker artifact`);
  if (value['formatVersion'] !== RANKER_ARTIFACT_FORMAT_VERSION)
    throw invalid(
      `${dir} has format version ${String(value['formatVersion'])}; this code reads version ${RANKER_ARTIFACT_FORMAT_VERSION}`,
    );
  if (value['byteOrder'] !== BYTE_ORDER) throw invalid(`${dir} has byte order ${String(value['byteOrder'])}`);
  const schema = value['featureSchema'];
  if (!isRecord(schema) || schema['version'] !== RANKING_FEATURE_SCHEMA_VERSION)
    throw invalid(
      `${dir} was trained on feature schema ${isRecord(schema) ? String(schema['version']) : '(none)'}; this code computes ${RANKING_FEATURE_SCHEMA_VERSION}`,
    );
  const names = schema['features'];
  if (!Array.isArray(names) || names.join(',') !== featureNames().join(','))
    throw invalid(`${dir}: the feature names differ from schema ${RANKING_FEATURE_SCHEMA_VERSION}'s`);
  if (!isFileList(value['files'])) throw invalid(`${dir}: the manifest's file list is malformed`);
  if (!isRecord(value['hyperParameters'])) throw invalid(`${dir}: the manifest has no hyperParameters`);
  if (typeof value['seed'] !== 'number') throw invalid(`${dir}: the manifest has no seed`);
  return value as unknown as RankerArtifactManifest;
}

export async function loadRanker(dir: string, tf: TensorFlow = loadTensorFlow()): Promise<LoadedRanker> {
  assertNativeBackend(tf);
  assertLittleEndianHost();
  const manifest = checkManifest(await readManifest(dir), dir);
  const hyper = resolveRankerHyperParameters(manifest.hyperParameters);
  const width = RANKING_FEATURES.length;
  const normalisation = float32From(await readArtifactFile(dir, manifest.files, NORMALISATION_FILE));
  if (normalisation.length !== 2 * width)
    throw invalid(`${dir}: ${NORMALISATION_FILE} holds ${normalisation.length} values for ${width} features`);
  const weights = float32From(await readArtifactFile(dir, manifest.files, WEIGHTS_FILE));
  const sizes = [width, ...hyper.hidden, 1];
  const layers: LayerWeights[] = [];
  let offset = 0;
  for (let index = 0; index + 1 < sizes.length; index += 1) {
    const inputs = sizes[index] ?? 0;
    const units = sizes[index + 1] ?? 0;
    const kernel = weights.slice(offset, offset + inputs * units);
    offset += inputs * units;
    const bias = weights.slice(offset, offset + units);
    offset += units;
    layers.push({ inputs, units, kernel, bias });
  }
  if (offset !== weights.length)
    throw invalid(`${dir}: ${WEIGHTS_FILE} holds ${weights.length} values, the architecture needs ${offset}`);
  const model = new RankerModel(tf, {
    hyper,
    width,
    normalisation: { mean: normalisation.slice(0, width), std: normalisation.slice(width) },
    layers,
    seed: manifest.seed,
  });
  return { model, manifest };
}
