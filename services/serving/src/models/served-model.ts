/**
 * One loaded, warmed version of the sequence model, as serving uses it: a shopper's recent items
 * in (product ids), a score for every item out. Its tensors are freed exactly once, when it has
 * been retired (a newer version took its place) and the last scoring call that started on it has
 * finished: a reference count taken synchronously before the first await, so a swap can never
 * free a model under a request.
 *
 * What requests keep after scoring (the scores, the id map, the item vectors) is plain JS memory,
 * valid after the tensors are gone: a request that began on this version finishes on it.
 */
import type { SequenceEntry } from '@recstream/features';
import type { RegistryVersion } from './registry-reader.js';

/** Interactions the trainer learns sequences from (services/trainer event-log reader). */
const INTERACTIONS: ReadonlySet<SequenceEntry['type']> = new Set([
  'view',
  'click',
  'add_to_cart',
  'purchase',
]);

/** What the model says about one shopper: everything later stages of one request need. */
export interface ShopperScores {
  /** `<model>@<version>` that scored. */
  readonly label: string;
  /** The model's logit for every dense item index. */
  readonly scores: Float32Array;
  /** Dense indices the model read, oldest first. */
  readonly history: Int32Array;
  readonly model: ServedModel;
}

export class ServedModel {
  readonly label: string;
  readonly dim: number;
  readonly maxLength: number;
  /** Dense index of each product id. */
  private readonly indexOf: ReadonlyMap<string, number>;
  /** Every item's vector, row-major (the model's own cached array; JS memory). */
  private readonly vectors: Float32Array;
  private refs = 0;
  private retired = false;
  private disposed = false;

  private constructor(
    readonly registry: RegistryVersion,
    private readonly onDisposed: (model: ServedModel) => void,
  ) {
    const { model } = registry.loaded;
    this.label = `${registry.model}@${registry.version}`;
    this.dim = model.hyper.hiddenDim;
    this.maxLength = model.hyper.maxLength;
    this.indexOf = new Map(registry.itemIds.map((id, index) => [id, index]));
    this.vectors = model.itemVectors();
  }

  /**
   * Wraps a loaded version and warms it: one scoring call builds the item matrix the model caches
   * and compiles its kernels, so the first shopper does not pay for it. Disposes it if that fails.
   */
  static async warm(
    version: RegistryVersion,
    onDisposed: (model: ServedModel) => void = () => undefined,
  ): Promise<ServedModel> {
    const { model } = version.loaded;
    try {
      const scores = await model.scoreAll([{ user: 0, history: Int32Array.of(0) }]);
      if (scores.length !== model.numItems || !Number.isFinite(scores[0]))
        throw new Error(`warm-up scoring returned ${scores.length} scores, first ${scores[0]}`);
      return new ServedModel(version, onDisposed);
    } catch (error) {
      model.dispose();
      throw error;
    }
  }

  get version(): string {
    return this.registry.version;
  }

  get numItems(): number {
    return this.registry.itemIds.length;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Scoring calls in flight on this version. */
  get inFlight(): number {
    return this.refs;
  }

  index(itemId: string): number | undefined {
    return this.indexOf.get(itemId);
  }

  itemId(index: number): string {
    const id = this.registry.itemIds[index];
    if (id === undefined) throw new RangeError(`item index ${index} is outside 0..${this.numItems - 1}`);
    return id;
  }

  /** The item's vector (a view, not a copy). */
  vector(index: number): Float32Array {
    return this.vectors.subarray(index * this.dim, (index + 1) * this.dim);
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

  /** Scores every item for a non-empty history. */
  async score(history: Int32Array): Promise<ShopperScores> {
    if (this.disposed) throw new Error(`${this.label} was disposed`);
    if (history.length === 0) throw new RangeError('a history to score must not be empty');
    this.refs += 1; // before the first await: a swap from now on waits for this call
    try {
      const scores = await this.registry.loaded.model.scoreAll([{ user: 0, history }]);
      return { label: this.label, scores, history, model: this };
    } finally {
      this.refs -= 1;
      this.disposeIfDrained();
    }
  }

  /** No new request starts on this version; its tensors go when the last call in flight ends. */
  retire(): void {
    this.retired = true;
    this.disposeIfDrained();
  }

  private disposeIfDrained(): void {
    if (!this.retired || this.refs > 0 || this.disposed) return;
    this.disposed = true;
    this.registry.loaded.model.dispose();
    this.onDisposed(this);
  }
}
