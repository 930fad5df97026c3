/**
 * The contract between models and the offline evaluation harness. Items and users are dense
 * indices (0..numItems-1, 0..numUsers-1) assigned by a dataset importer or an id map; the
 * product's string ids are mapped at the edges, never inside a model.
 */

/** One user's interactions in time order. */
export interface UserSequence {
  /** Dense user index. */
  readonly user: number;
  /** Dense item indices, oldest first. */
  readonly items: Int32Array;
  /** Event times in ms, same length as `items`, when the dataset has them. */
  readonly times?: Float64Array;
}

/** A dataset as importers produce it: sequences plus the id maps and optional item side features. */
export interface InteractionDataset {
  readonly name: string;
  readonly numUsers: number;
  readonly numItems: number;
  /** Original id of each dense item index. */
  readonly itemIds: readonly string[];
  /** Original id of each dense user index. */
  readonly userIds: readonly string[];
  readonly sequences: readonly UserSequence[];
  /**
   * Side features per item (e.g. brand and category ids), dense indices in 0..numAttributes-1.
   * Absent when the dataset has none.
   */
  readonly itemAttributes?: readonly Int32Array[];
  readonly numAttributes?: number;
}

/** A request to score: who, and what they did before (the training part of their history). */
export interface ScoreQuery {
  readonly user: number;
  /** Known history, oldest first. Models that are not sequence-aware may ignore the order. */
  readonly history: Int32Array;
}

/** Anything the harness can rank with. Training is model-specific and happens before. */
export interface Recommender {
  /** Short, stable name used in reports (e.g. `popularity`, `bpr`, `sasrec`). */
  readonly name: string;
  readonly numItems: number;
  /**
   * A score for every item for each query, row-major: `queries.length × numItems`. Higher is
   * better. The harness masks already-seen items itself; models need not.
   */
  scoreAll(queries: readonly ScoreQuery[]): Promise<Float32Array>;
}
