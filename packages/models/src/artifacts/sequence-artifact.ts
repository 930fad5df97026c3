/**
 * Versioned save and load of the sequence model. A version is a directory:
 *
 *   manifest.json        format version, architecture, hyper-parameters, seed, id map summary,
 *                        data window, metrics, training summary, and each file's size + SHA-256
 *   dense.bin            the transformer weights, float32, concatenated in the manifest's order
 *   items.*.bin          item table: weights, optimizer slots, per-row counts and last updates
 *   attributes.*.bin     attribute table, same layout
 *   tables.json          each table's row → id list (null for free rows)
 *   catalog.json         original item ids (the id map) and each item's attribute indices
 *
 * Loading verifies every checksum and the manifest's shape before building the model, so a
 * corrupt or mismatched artifact fails loudly instead of scoring with garbage.
 * The tables keep their sparse optimizer state, so training can continue on them after a load;
 * the transformer's Adam moments are not saved (a resumed run restarts them, a small perturbation
 * on ~50k dense weights).
 */
import { ERROR_CODES, PermanentError } from '@recstream/errors';
import { assertNativeBackend, loadTensorFlow, type TensorFlow } from '../backend.js';
import {
  SparseEmbeddingTable,
  type EmbeddingId,
  type TableSnapshot,
} from '../embedding/sparse-embedding-table.js';
import type { SparseOptimizerConfig } from '../embedding/sparse-optimizer.js';
import {
  resolveSequenceHyperParameters,
  type SequenceHyperParameters,
} from '../sequence/hyper-parameters.js';
import { SEQUENCE_MODEL_NAME, SequenceRecommender } from '../sequence/sequence-model.js';
import { denseWeightSpecs } from '../sequence/transformer.js';
import {
  isFileList,
  readArtifactFile,
  readManifest,
  writeArtifact,
  type ArtifactFileEntry,
} from './artifact-files.js';
import { assertLittleEndianHost, BYTE_ORDER, bytesOf, float32From, float64From } from './binary.js';

export const SEQUENCE_ARTIFACT_FORMAT = 'recstream.sequence-model';
export const SEQUENCE_ARTIFACT_FORMAT_VERSION = 1;

/** What the training data covered, so a reader knows what the model has seen. */
export interface DataWindow {
  readonly dataset: string;
  readonly users?: number;
  readonly interactions?: number;
  /** ISO times of the first and last training event, when the data has times. */
  readonly from?: string;
  readonly to?: string;
  /** e.g. 'leave-one-out: all but the last two items per user'. */
  readonly description?: string;
}

interface TableMeta {
  readonly rows: number;
  readonly live: number;
  readonly dim: number;
  readonly seed: number;
  readonly initStd: number;
  readonly step: number;
  readonly optimizer: SparseOptimizerConfig;
  readonly slots: number;
}

export interface SequenceArtifactManifest {
  readonly format: typeof SEQUENCE_ARTIFACT_FORMAT;
  readonly formatVersion: number;
  readonly model: string;
  readonly version: string;
  readonly createdAt: string;
  readonly byteOrder: typeof BYTE_ORDER;
  readonly architecture: {
    readonly kind: 'sasrec';
    readonly blocks: number;
    readonly heads: number;
    readonly hiddenDim: number;
    readonly maxLength: number;
    readonly itemAttributes: boolean;
    readonly outputVectors: 'tied-to-input';
    readonly dense: readonly { readonly name: string; readonly shape: readonly number[] }[];
  };
  readonly hyperParameters: SequenceHyperParameters;
  readonly seed: number;
  readonly catalog: {
    readonly numItems: number;
    readonly numAttributes: number;
    readonly hasItemIds: boolean;
  };
  readonly dataWindow: DataWindow;
  readonly metrics: Readonly<Record<string, number>>;
  readonly training?: Readonly<Record<string, unknown>>;
  readonly tables: { readonly items: TableMeta; readonly attributes: TableMeta };
  readonly files: readonly ArtifactFileEntry[];
}

export interface SaveSequenceModelOptions {
  /** Directory of this version; must not exist yet. */
  readonly dir: string;
  readonly version: string;
  readonly dataWindow: DataWindow;
  /** Original item id of each dense item index (the id map serving uses at the edges). */
  readonly itemIds?: readonly string[];
  readonly metrics?: Readonly<Record<string, number>>;
  readonly training?: Readonly<Record<string, unknown>>;
  /** Defaults to now; fixed in tests. */
  readonly createdAt?: Date;
}

interface CatalogFile {
  readonly itemIds: readonly string[] | null;
  readonly itemAttributes: readonly (readonly number[])[] | null;
}

interface TablesFile {
  readonly items: readonly (EmbeddingId | null)[];
  readonly attributes: readonly (EmbeddingId | null)[];
}

function invalid(message: string): PermanentError {
  return new PermanentError(ERROR_CODES.invalidInput, `sequence model artifact: ${message}`);
}

function tableMeta(snapshot: TableSnapshot): TableMeta {
  return {
    rows: snapshot.rowIds.length,
    live: snapshot.rowIds.filter((id) => id !== null).length,
    dim: snapshot.dim,
    seed: snapshot.seed,
    initStd: snapshot.initStd,
    step: snapshot.step,
    optimizer: snapshot.optimizer,
    slots: snapshot.slots.length,
  };
}

function tableFiles(prefix: string, snapshot: TableSnapshot, files: Map<string, Uint8Array>): void {
  files.set(`${prefix}.weights.bin`, bytesOf(snapshot.weights));
  snapshot.slots.forEach((slot, i) => files.set(`${prefix}.slot${i}.bin`, bytesOf(slot)));
  files.set(`${prefix}.counts.bin`, bytesOf(snapshot.counts));
  files.set(`${prefix}.last-updated.bin`, bytesOf(snapshot.lastUpdated));
}

export async function saveSequenceModel(
  model: SequenceRecommender,
  options: SaveSequenceModelOptions,
): Promise<SequenceArtifactManifest> {
  assertLittleEndianHost();
  if (options.version.length === 0) throw invalid('version must not be empty');
  if (options.itemIds !== undefined && options.itemIds.length !== model.numItems) {
    throw invalid(`itemIds has ${options.itemIds.length} entries for ${model.numItems} items`);
  }
  const hyper = model.hyper;
  const specs = denseWeightSpecs(hyper);
  const dense = model.denseValues();
  const denseBytes = new Float32Array(
    specs.reduce((total, spec) => total + spec.shape.reduce((a, b) => a * b, 1), 0),
  );
  let offset = 0;
  for (const spec of specs) {
    const values = dense.get(spec.name) ?? new Float32Array(0);
    denseBytes.set(values, offset);
    offset += values.length;
  }
  const items = model.itemTable.snapshot();
  const attributes = model.attributeTable.snapshot();
  const catalog = model.catalogue;
  const files = new Map<string, Uint8Array>();
  files.set('dense.bin', bytesOf(denseBytes));
  tableFiles('items', items, files);
  tableFiles('attributes', attributes, files);
  const tablesFile: TablesFile = { items: items.rowIds, attributes: attributes.rowIds };
  files.set('tables.json', Buffer.from(JSON.stringify(tablesFile)));
  const catalogFile: CatalogFile = {
    itemIds: options.itemIds ?? null,
    itemAttributes:
      catalog.itemAttributes === undefined
        ? null
        : catalog.itemAttributes.map((list) => Array.from(list ?? [])),
  };
  files.set('catalog.json', Buffer.from(JSON.stringify(catalogFile)));

  return writeArtifact(options.dir, files, (entries) => ({
    format: SEQUENCE_ARTIFACT_FORMAT,
    formatVersion: SEQUENCE_ARTIFACT_FORMAT_VERSION,
    model: SEQUENCE_MODEL_NAME,
    version: options.version,
    createdAt: (options.createdAt ?? new Date()).toISOString(),
    byteOrder: BYTE_ORDER,
    architecture: {
      kind: 'sasrec',
      blocks: hyper.blocks,
      heads: hyper.heads,
      hiddenDim: hyper.hiddenDim,
      maxLength: hyper.maxLength,
      itemAttributes: hyper.useAttributes && catalog.itemAttributes !== undefined,
      outputVectors: 'tied-to-input',
      dense: specs.map((spec) => ({ name: spec.name, shape: spec.shape })),
    },
    hyperParameters: hyper,
    seed: model.seed,
    catalog: {
      numItems: model.numItems,
      numAttributes: catalog.numAttributes ?? 0,
      hasItemIds: options.itemIds !== undefined,
    },
    dataWindow: options.dataWindow,
    metrics: options.metrics ?? {},
    ...(options.training === undefined ? {} : { training: options.training }),
    tables: { items: tableMeta(items), attributes: tableMeta(attributes) },
    files: entries,
  }));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks the parts of the manifest loading relies on; the rest is informational. */
function checkManifest(value: unknown, dir: string): SequenceArtifactManifest {
  if (!isRecord(value) || value['format'] !== SEQUENCE_ARTIFACT_FORMAT)
    throw invalid(`${dir} does not hold a sequence model artifact`);
  if (value['formatVersion'] !== SEQUENCE_ARTIFACT_FORMAT_VERSION) {
    throw invalid(
      `${dir} has format version ${String(value['formatVersion'])}; this code reads version ${SEQUENCE_ARTIFACT_FORMAT_VERSION}`,
    );
  }
  if (value['byteOrder'] !== BYTE_ORDER) throw invalid(`${dir} has byte order ${String(value['byteOrder'])}`);
  if (!isFileList(value['files'])) throw invalid(`${dir}: the manifest's file list is malformed`);
  for (const key of ['hyperParameters', 'catalog', 'tables', 'architecture']) {
    if (!isRecord(value[key])) throw invalid(`${dir}: the manifest has no ${key}`);
  }
  if (typeof value['seed'] !== 'number') throw invalid(`${dir}: the manifest has no seed`);
  return value as unknown as SequenceArtifactManifest;
}

async function loadTable(
  dir: string,
  manifest: SequenceArtifactManifest,
  prefix: 'items' | 'attributes',
  rowIds: readonly (EmbeddingId | null)[],
): Promise<SparseEmbeddingTable> {
  const meta = manifest.tables[prefix];
  if (rowIds.length !== meta.rows)
    throw invalid(`${dir}: ${prefix} has ${rowIds.length} row ids for ${meta.rows} rows`);
  const read = (name: string): Promise<Buffer> =>
    readArtifactFile(dir, manifest.files, `${prefix}.${name}.bin`);
  const slots: Float32Array[] = [];
  for (let i = 0; i < meta.slots; i += 1) slots.push(float32From(await read(`slot${i}`)));
  return SparseEmbeddingTable.fromSnapshot({
    dim: meta.dim,
    seed: meta.seed,
    initStd: meta.initStd,
    optimizer: meta.optimizer,
    step: meta.step,
    rowIds,
    weights: float32From(await read('weights')),
    slots,
    counts: float64From(await read('counts')),
    lastUpdated: float64From(await read('last-updated')),
  });
}

export interface LoadedSequenceModel {
  readonly model: SequenceRecommender;
  readonly manifest: SequenceArtifactManifest;
  /** Original item id per dense index, when the artifact was saved with them. */
  readonly itemIds: readonly string[] | undefined;
}

export async function loadSequenceModel(
  dir: string,
  tf: TensorFlow = loadTensorFlow(),
): Promise<LoadedSequenceModel> {
  assertNativeBackend(tf);
  assertLittleEndianHost();
  const manifest = checkManifest(await readManifest(dir), dir);
  const hyper = resolveSequenceHyperParameters(manifest.hyperParameters);
  const catalogFile = JSON.parse(
    (await readArtifactFile(dir, manifest.files, 'catalog.json')).toString('utf8'),
  ) as CatalogFile;
  const tablesFile = JSON.parse(
    (await readArtifactFile(dir, manifest.files, 'tables.json')).toString('utf8'),
  ) as TablesFile;
  const { numItems, numAttributes } = manifest.catalog;
  if (catalogFile.itemIds !== null && catalogFile.itemIds.length !== numItems)
    throw invalid(`${dir}: catalog.json has ${catalogFile.itemIds.length} item ids for ${numItems} items`);

  const denseAll = float32From(await readArtifactFile(dir, manifest.files, 'dense.bin'));
  const dense = new Map<string, Float32Array>();
  let offset = 0;
  for (const spec of denseWeightSpecs(hyper)) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    dense.set(spec.name, denseAll.slice(offset, offset + size));
    offset += size;
  }
  if (offset !== denseAll.length)
    throw invalid(`${dir}: dense.bin holds ${denseAll.length} values, the architecture needs ${offset}`);

  const model = new SequenceRecommender(tf, {
    hyper,
    seed: manifest.seed,
    catalog: {
      numItems,
      numAttributes,
      itemAttributes:
        catalogFile.itemAttributes === null
          ? undefined
          : catalogFile.itemAttributes.map((list) => Int32Array.from(list)),
    },
    itemTable: await loadTable(dir, manifest, 'items', tablesFile.items),
    attributeTable: await loadTable(dir, manifest, 'attributes', tablesFile.attributes),
    dense,
  });
  return { model, manifest, itemIds: catalogFile.itemIds ?? undefined };
}
