/**
 * One loaded, warmed version of the sequence model, as serving uses it: a shopper's recent items
 * in (product ids), their encoding out, and from it the nearest items and any item's logit.
 *
 * Requests never touch TensorFlow. When a version loads, its weights are copied into a
 * JavaScript encoder (`SequenceEncoder`: ~0.3 ms for a short history, where a TensorFlow call costs
 * ~8 ms of per-operation overhead) and its item vectors into a nearest-item index (item-index.ts);
 * the encoder is checked against TensorFlow on a probe history, and then the version's tensors are
 * freed at once. What a version holds afterwards is plain JS memory and the index's native graph,
 * released by the garbage collector when the last request that began on it lets go.
 */
import type { SequenceEntry } from '@recstream/features';
import { SequenceEncoder, dot } from '@recstream/models';
import { ItemIndex, type Neighbour } from './item-index.js';
import type { RegistryVersion } from '@recstream/model-registry';

/** Interactions the trainer learns sequences from (services/trainer event-log reader). */
const INTERACTIONS: ReadonlySet<SequenceEntry['type']> = new Set([
  'view',
  'click',
  'add_to_cart',
  'purchase',
]);

/** How far the JS encoder may be from TensorFlow on the probe before a version is refused. */
const ENCODER_TOLERANCE = 1e-3;
/** Probe histories the nearest-item index's recall is measured on, and the depth measured. */
const RECALL_PROBES = 20;
const RECALL_AT = 20;

export interface WarmOptions {
  /** Threads building the nearest-item index (0: every core, for a startup load). */
  readonly indexThreads: number;
  /** The graph's search expansion (item-index.ts; its default when absent). */
  readonly indexExpansion?: number;
}

/** What the model says about one shopper: everything later stages of one request need. */
export interface ShopperEncoding {
  /** `<model>@<version>` that encoded. */
  readonly label: string;
  /** The shopper's final hidden state: an item's logit is its inner product with this. */
  readonly hidden: Float32Array;
  /** Dense indices the model read, oldest first. */
  readonly history: Int32Array;
  readonly model: ServedModel;
}

export class ServedModel {
  readonly label: string;
  readonly version: string;
  readonly dim: number;
  readonly maxLength: number;
  /** Share of the exact top 20 the nearest-item index finds (1 when it searches exactly). */
  readonly recall: number;
  /** Dense index of each product id. */
  private readonly indexOf: ReadonlyMap<string, number>;
  private readonly itemIds: readonly string[];
  /** Every item's vector, row-major (JS memory). */
  private readonly vectors: Float32Array;
  private readonly encoder: SequenceEncoder;
  private readonly items: ItemIndex;

  /**
   * Keeps only what it copied out of the loaded version, not the version itself: the model's own
   * embedding tables (as large as the item vectors) go with the garbage collector.
   */
  private constructor(
    registry: RegistryVersion,
    parts: { vectors: Float32Array; encoder: SequenceEncoder; items: ItemIndex; recall: number },
  ) {
    const { model } = registry.loaded;
    this.version = registry.version;
    this.label = `${registry.model}@${registry.version}`;
    this.dim = model.hyper.hiddenDim;
    this.maxLength = model.hyper.maxLength;
    this.itemIds = registry.itemIds;
    this.indexOf = new Map(registry.itemIds.map((id, index) => [id, index]));
    this.vectors = parts.vectors;
    this.encoder = parts.encoder;
    this.items = parts.items;
    this.recall = parts.recall;
  }

  /**
   * Turns a loaded version into a served one: copies its weights into the JS encoder, checks the
   * encoder against TensorFlow on a probe history, builds the nearest-item index and measures its
   * recall, then frees the version's tensors (whether this succeeded or not).
   */
  static warm(version: RegistryVersion, options: WarmOptions = { indexThreads: 0 }): Promise<ServedModel> {
    const { model } = version.loaded;
    try {
      if (version.itemIds.length !== model.numItems)
        throw new Error(`${version.itemIds.length} item ids for a model of ${model.numItems} items`);
      const vectors = model.itemVectors();
      const encoder = new SequenceEncoder(model.hyper, vectors, model.denseValues());
      const probes = probeHistories(model.numItems, model.hyper.maxLength);
      const probe = probes[0] ?? Int32Array.of(0);
      const expected = model.encode([probe]);
      const actual = encoder.encode(probe);
      const gap = expected.reduce(
        (worst, value, i) => Math.max(worst, Math.abs(value - (actual[i] ?? NaN))),
        0,
      );
      if (!(gap <= ENCODER_TOLERANCE))
        throw new Error(`the serving encoder differs from the model by ${gap} on a probe history`);
      const items = ItemIndex.build(vectors, model.hyper.hiddenDim, {
        buildThreads: options.indexThreads,
        ...(options.indexExpansion === undefined ? {} : { searchExpansion: options.indexExpansion }),
      });
      const recall = items.recallAt(
        probes.map((history) => encoder.encode(history)),
        RECALL_AT,
      );
      return Promise.resolve(new ServedModel(version, { vectors, encoder, items, recall }));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    } finally {
      model.dispose();
    }
  }

  get numItems(): number {
    return this.itemIds.length;
  }

  /** Whether the nearest-item index is an approximate graph (large catalogs) or exact. */
  get approximateIndex(): boolean {
    return this.items.approximate;
  }

  index(itemId: string): number | undefined {
    return this.indexOf.get(itemId);
  }

  itemId(index: number): string {
    const id = this.itemIds[index];
    if (id === undefined) throw new RangeError(`item index ${index} is outside 0..${this.numItems - 1}`);
    return id;
  }

  /** The item's vector (a view, not a copy). */
  vector(index: number): Float32Array {
    return this.vectors.subarray(index * this.dim, (index + 1) * this.dim);
  }

  /** The model's logit for an item given a shopper's encoding. */
  logit(hidden: Float32Array, index: number): number {
    return dot(hidden, 0, this.vectors, index * this.dim, this.dim);
  }

  /** The `k` items the shopper is likeliest to want next, best first; `skipped` bounds `skip`'s refusals. */
  nearest(hidden: Float32Array, k: number, skip?: (index: number) => boolean, skipped = 0): Neighbour[] {
    return this.items.nearest(hidden, k, skip, skipped);
  }

  /**
   * The model's input for a shopper: their interactions with items it knows, oldest first, the
   * newest `maxLength`, then the page's item when it is not already the latest (being on its page
   * is the freshest signal there is).
   */
  historyOf(sequence: readonly SequenceEntry[], contextItemId?: string): Int32Array {
    const newestFirst: number[] = [];
    for (const entry of sequence) {
      if (newestFirst.length >= this.maxLength) break;
      if (!INTERACTIONS.has(entry.type)) continue;
      const index = this.indexOf.get(entry.itemId);
      if (index !== undefined) newestFirst.push(index);
    }
    const context = contextItemId === undefined ? undefined : this.indexOf.get(contextItemId);
    if (context !== undefined && newestFirst[0] !== context) {
      newestFirst.unshift(context);
      if (newestFirst.length > this.maxLength) newestFirst.pop();
    }
    return Int32Array.from(newestFirst.reverse());
  }

  /** Encodes a non-empty history. */
  encode(history: Int32Array): ShopperEncoding {
    if (history.length === 0) throw new RangeError('a history to encode must not be empty');
    return { label: this.label, hidden: this.encoder.encode(history), history, model: this };
  }
}

/** Deterministic probe histories of a few lengths over the catalog (the encoder and recall checks). */
function probeHistories(numItems: number, maxLength: number): Int32Array[] {
  return Array.from({ length: RECALL_PROBES }, (_, p) => {
    const length = 1 + (p % Math.min(maxLength, 8));
    return Int32Array.from({ length }, (_, i) => (p * 7919 + i * 104_729) % numItems);
  });
}
