/**
 * An embedding table kept in JavaScript memory and updated sparsely.
 *
 * In tfjs the gradient of `gather` over a variable is a dense tensor the size of the whole table,
 * so one training step would cost O(rows × dim) however few rows the batch used. Large production
 * systems instead keep embeddings outside the dense graph: the batch's rows are gathered into a
 * small input tensor, the gradient is taken with respect to that tensor, and a sparse optimizer
 * applies it to just those rows. This table is that store:
 *
 * - ids (strings or numbers) map to rows; new ids are admitted at any time (capacity doubles, so
 *   admission is amortised O(dim)), with a deterministic initial vector derived from (seed, id);
 * - `applyGradients` touches only the given rows (duplicates accumulate first) and their optimizer
 *   state, so a step costs O(rows in the batch × dim), independent of the table's size;
 * - each row keeps its update count and the last step it was updated, so rare or stale ids can be
 *   evicted; evicted rows go to a free list and are reused by the next admissions;
 * - `snapshot`/`fromSnapshot` give a plain serialisable form (the artifacts module writes it).
 */
import { ERROR_CODES, PermanentError } from '@recstream/errors';
import { initRow } from './row-init.js';
import {
  createSparseOptimizer,
  type SparseOptimizer,
  type SparseOptimizerConfig,
} from './sparse-optimizer.js';

export type EmbeddingId = string | number;

export interface SparseEmbeddingTableOptions {
  readonly dim: number;
  readonly optimizer: SparseOptimizerConfig;
  /** Seed of the deterministic per-id initialisation. */
  readonly seed: number;
  /** Standard deviation of the initial values (normal distribution). */
  readonly initStd: number;
  /** Rows allocated up front; the table grows past it as ids arrive. */
  readonly initialCapacity?: number;
}

/** What may be evicted: rows seen fewer than `minCount` times, or not updated for `idleSteps`. */
export interface EvictionPolicy {
  readonly minCount?: number;
  readonly idleSteps?: number;
  /** Ids that must stay whatever their statistics (e.g. a padding or fallback row). */
  readonly keep?: (id: EmbeddingId) => boolean;
}

/** Everything needed to restore a table exactly; typed arrays are trimmed to the used rows. */
export interface TableSnapshot {
  readonly dim: number;
  readonly seed: number;
  readonly initStd: number;
  readonly optimizer: SparseOptimizerConfig;
  readonly step: number;
  /** The id in each row, or null for a free row. */
  readonly rowIds: readonly (EmbeddingId | null)[];
  readonly weights: Float32Array;
  readonly slots: readonly Float32Array[];
  readonly counts: Float64Array;
  readonly lastUpdated: Float64Array;
}

const MIN_CAPACITY = 16;

function invalid(message: string): PermanentError {
  return new PermanentError(ERROR_CODES.invalidInput, `embedding table: ${message}`);
}

function checkId(id: EmbeddingId): void {
  if (typeof id === 'number' ? !Number.isSafeInteger(id) : id.length === 0) {
    throw invalid(`ids must be safe integers or non-empty strings, got ${JSON.stringify(id)}`);
  }
}

export class SparseEmbeddingTable {
  readonly dim: number;
  readonly seed: number;
  readonly initStd: number;
  private readonly optimizer: SparseOptimizer;
  private readonly rowById = new Map<EmbeddingId, number>();
  private rowIds: (EmbeddingId | null)[] = [];
  private weightData: Float32Array;
  private slotData: Float32Array[];
  private countData: Float64Array;
  private lastUpdatedData: Float64Array;
  private readonly freeRows: number[] = [];
  /** Rows in use or freed; rows at and above it were never handed out. */
  private highWater = 0;
  private stepCount = 0;
  // Reused between updates so a step allocates only when a batch is larger than any before it.
  private scratchGradient = new Float32Array(0);
  private readonly scratchSlot = new Map<number, number>();

  constructor(options: SparseEmbeddingTableOptions) {
    if (!Number.isInteger(options.dim) || options.dim <= 0)
      throw invalid(`dim must be a positive integer, got ${options.dim}`);
    if (!Number.isFinite(options.initStd) || options.initStd < 0)
      throw invalid(`initStd must be >= 0, got ${options.initStd}`);
    if (!Number.isInteger(options.seed)) throw invalid(`seed must be an integer, got ${options.seed}`);
    const capacity = Math.max(MIN_CAPACITY, options.initialCapacity ?? MIN_CAPACITY);
    if (!Number.isInteger(capacity)) throw invalid(`initialCapacity must be an integer, got ${capacity}`);
    this.dim = options.dim;
    this.seed = options.seed;
    this.initStd = options.initStd;
    this.optimizer = createSparseOptimizer(options.optimizer);
    this.weightData = new Float32Array(capacity * this.dim);
    this.slotData = Array.from(
      { length: this.optimizer.slotCount },
      () => new Float32Array(capacity * this.dim),
    );
    this.countData = new Float64Array(capacity);
    this.lastUpdatedData = new Float64Array(capacity);
  }

  /** Live ids (admitted and not evicted). */
  get size(): number {
    return this.rowById.size;
  }

  /** Rows allocated (live, free and not yet used). */
  get capacity(): number {
    return this.countData.length;
  }

  /** Number of `applyGradients` calls so far: the clock for staleness and Adam's bias correction. */
  get step(): number {
    return this.stepCount;
  }

  get optimizerConfig(): SparseOptimizerConfig {
    return this.optimizer.config;
  }

  has(id: EmbeddingId): boolean {
    return this.rowById.has(id);
  }

  /** The row of an id, or undefined when it was never admitted (or was evicted). */
  rowOf(id: EmbeddingId): number | undefined {
    return this.rowById.get(id);
  }

  /** The id stored in a row, or undefined for a free or unused row. */
  idOf(row: number): EmbeddingId | undefined {
    return this.rowIds[row] ?? undefined;
  }

  ids(): EmbeddingId[] {
    return [...this.rowById.keys()];
  }

  /** The row of an id, admitting it (deterministically initialised) when new. */
  admit(id: EmbeddingId): number {
    const existing = this.rowById.get(id);
    if (existing !== undefined) return existing;
    checkId(id);
    const row = this.freeRows.pop() ?? this.nextUnusedRow();
    const offset = row * this.dim;
    initRow(this.weightData, offset, this.dim, id, this.seed, this.initStd);
    for (let s = 0; s < this.slotData.length; s += 1) {
      this.slotData[s]?.fill(this.optimizer.slotInitialValue(s), offset, offset + this.dim);
    }
    this.countData[row] = 0;
    this.lastUpdatedData[row] = this.stepCount;
    this.rowById.set(id, row);
    this.rowIds[row] = id;
    return row;
  }

  /** Rows for many ids, admitting the new ones. */
  admitAll(ids: Iterable<EmbeddingId>): Int32Array {
    const rows: number[] = [];
    for (const id of ids) rows.push(this.admit(id));
    return Int32Array.from(rows);
  }

  /**
   * Copies the given rows into `out` (row-major, rows.length × dim), allocating it when absent.
   * Cost is O(rows.length × dim).
   */
  gather(rows: ArrayLike<number>, out?: Float32Array): Float32Array {
    const dim = this.dim;
    const target = out ?? new Float32Array(rows.length * dim);
    if (target.length < rows.length * dim)
      throw invalid(`gather output holds ${target.length} values, needs ${rows.length * dim}`);
    for (let i = 0; i < rows.length; i += 1) {
      const row = this.checkedRow(rows[i]);
      target.set(this.weightData.subarray(row * dim, row * dim + dim), i * dim);
    }
    return target;
  }

  /** A copy of one id's vector, or undefined when absent. */
  vector(id: EmbeddingId): Float32Array | undefined {
    const row = this.rowById.get(id);
    return row === undefined ? undefined : this.weightData.slice(row * this.dim, (row + 1) * this.dim);
  }

  /** Update count and last-updated step of a row. */
  stats(id: EmbeddingId): { count: number; lastUpdated: number } | undefined {
    const row = this.rowById.get(id);
    if (row === undefined) return undefined;
    return { count: this.countData[row] ?? 0, lastUpdated: this.lastUpdatedData[row] ?? 0 };
  }

  /**
   * One sparse optimizer step: `gradients` holds one dim-sized gradient per entry of `rows`
   * (row-major). Repeated rows are summed first, as the dense gradient of a gather would be, then
   * each distinct row and its optimizer state is updated once. Touches nothing else.
   */
  applyGradients(rows: ArrayLike<number>, gradients: Float32Array): void {
    const dim = this.dim;
    if (gradients.length !== rows.length * dim) {
      throw invalid(`${rows.length} rows need ${rows.length * dim} gradient values, got ${gradients.length}`);
    }
    const slotOf = this.scratchSlot;
    slotOf.clear();
    if (this.scratchGradient.length < gradients.length)
      this.scratchGradient = new Float32Array(gradients.length);
    const summed = this.scratchGradient;
    const order: number[] = [];
    for (let i = 0; i < rows.length; i += 1) {
      const row = this.checkedRow(rows[i]);
      let slot = slotOf.get(row);
      if (slot === undefined) {
        slot = order.length;
        slotOf.set(row, slot);
        order.push(row);
        summed.fill(0, slot * dim, slot * dim + dim);
      }
      const from = i * dim;
      const to = slot * dim;
      for (let d = 0; d < dim; d += 1) summed[to + d] = (summed[to + d] ?? 0) + (gradients[from + d] ?? 0);
    }
    this.stepCount += 1;
    for (let slot = 0; slot < order.length; slot += 1) {
      const row = order[slot] ?? 0;
      this.optimizer.updateRow(
        this.weightData,
        this.slotData,
        row * dim,
        summed,
        slot * dim,
        dim,
        this.stepCount,
      );
      this.countData[row] = (this.countData[row] ?? 0) + 1;
      this.lastUpdatedData[row] = this.stepCount;
    }
  }

  /** Overwrites one id's vector (admitting it when new); for tests and warm starts. */
  setVector(id: EmbeddingId, values: ArrayLike<number>): void {
    if (values.length !== this.dim) throw invalid(`a vector has ${this.dim} values, got ${values.length}`);
    const row = this.admit(id);
    this.weightData.set(values, row * this.dim);
  }

  /** Removes one id; its row goes to the free list. Returns whether it was present. */
  remove(id: EmbeddingId): boolean {
    const row = this.rowById.get(id);
    if (row === undefined) return false;
    this.rowById.delete(id);
    this.rowIds[row] = null;
    this.freeRows.push(row);
    return true;
  }

  /**
   * Evicts rows that are rare (fewer than `minCount` updates) or stale (not updated for
   * `idleSteps` steps). A maintenance pass: O(live rows), run between training windows, not per step.
   */
  evict(policy: EvictionPolicy): EmbeddingId[] {
    const { minCount, idleSteps, keep } = policy;
    if (minCount === undefined && idleSteps === undefined)
      throw invalid('an eviction policy needs minCount or idleSteps');
    if (minCount !== undefined && !(minCount >= 0)) throw invalid(`minCount must be >= 0, got ${minCount}`);
    if (idleSteps !== undefined && !(idleSteps >= 0))
      throw invalid(`idleSteps must be >= 0, got ${idleSteps}`);
    const evicted: EmbeddingId[] = [];
    for (const [id, row] of this.rowById) {
      if (keep?.(id) === true) continue;
      const rare = minCount !== undefined && (this.countData[row] ?? 0) < minCount;
      const stale = idleSteps !== undefined && this.stepCount - (this.lastUpdatedData[row] ?? 0) > idleSteps;
      if (rare || stale) evicted.push(id);
    }
    for (const id of evicted) this.remove(id);
    return evicted;
  }

  snapshot(): TableSnapshot {
    const used = this.highWater;
    const dim = this.dim;
    return {
      dim,
      seed: this.seed,
      initStd: this.initStd,
      optimizer: this.optimizer.config,
      step: this.stepCount,
      rowIds: Array.from({ length: used }, (_, row) => this.rowIds[row] ?? null),
      weights: this.weightData.slice(0, used * dim),
      slots: this.slotData.map((slot) => slot.slice(0, used * dim)),
      counts: this.countData.slice(0, used),
      lastUpdated: this.lastUpdatedData.slice(0, used),
    };
  }

  static fromSnapshot(snapshot: TableSnapshot): SparseEmbeddingTable {
    const rows = snapshot.rowIds.length;
    const dim = snapshot.dim;
    const table = new SparseEmbeddingTable({
      dim,
      seed: snapshot.seed,
      initStd: snapshot.initStd,
      optimizer: snapshot.optimizer,
      initialCapacity: rows,
    });
    if (snapshot.weights.length !== rows * dim)
      throw invalid(`snapshot weights hold ${snapshot.weights.length} values, expected ${rows * dim}`);
    if (
      snapshot.slots.length !== table.slotData.length ||
      snapshot.slots.some((slot) => slot.length !== rows * dim)
    ) {
      throw invalid('snapshot optimizer state does not match its optimizer or row count');
    }
    if (snapshot.counts.length !== rows || snapshot.lastUpdated.length !== rows)
      throw invalid('snapshot row statistics do not match its row count');
    table.weightData.set(snapshot.weights);
    snapshot.slots.forEach((slot, s) => table.slotData[s]?.set(slot));
    table.countData.set(snapshot.counts);
    table.lastUpdatedData.set(snapshot.lastUpdated);
    table.stepCount = snapshot.step;
    table.highWater = rows;
    // Free rows are handed out lowest first, as a fresh table would.
    for (let row = rows - 1; row >= 0; row -= 1) {
      const id = snapshot.rowIds[row] ?? null;
      if (id === null) {
        table.freeRows.push(row);
        continue;
      }
      checkId(id);
      if (table.rowById.has(id)) throw invalid(`snapshot holds id ${JSON.stringify(id)} twice`);
      table.rowById.set(id, row);
      table.rowIds[row] = id;
    }
    return table;
  }

  private checkedRow(row: number | undefined): number {
    if (
      row === undefined ||
      !Number.isInteger(row) ||
      row < 0 ||
      row >= this.highWater ||
      this.rowIds[row] == null
    ) {
      throw invalid(`row ${row} is not a live row`);
    }
    return row;
  }

  private nextUnusedRow(): number {
    if (this.highWater === this.capacity) this.grow(this.capacity * 2);
    const row = this.highWater;
    this.highWater += 1;
    return row;
  }

  private grow(capacity: number): void {
    const dim = this.dim;
    const weights = new Float32Array(capacity * dim);
    weights.set(this.weightData);
    this.weightData = weights;
    this.slotData = this.slotData.map((old) => {
      const slot = new Float32Array(capacity * dim);
      slot.set(old);
      return slot;
    });
    const counts = new Float64Array(capacity);
    counts.set(this.countData);
    this.countData = counts;
    const lastUpdated = new Float64Array(capacity);
    lastUpdated.set(this.lastUpdatedData);
    this.lastUpdatedData = lastUpdated;
  }
}
