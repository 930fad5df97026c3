/**
 * The two-stage system measured offline: retrieval (the sequence model's top items, merged with
 * co-visitation and popularity picks into a fixed-size list) and the ranker re-ordering that list
 * from the r1 features.
 *
 * Training, on a leave-one-out split, without touching the test items:
 *   1. the sequence model and item co-visitation (item-KNN) are trained on the training part (all
 *      but the last two items per user); the sequence model stops early on the validation items,
 *      exactly as when it is evaluated alone;
 *   2. for every validation case (history = training part), retrieval proposes candidates and the
 *      features are computed from that history and training-period item statistics; the label is
 *      the validation item (the second-to-last one), so the models that produced the candidates
 *      and scores never saw it;
 *   3. the ranker trains on the lists that contain the validation item, stopping early on a
 *      held-out tenth of them.
 * At test time the same pipeline runs on the test history (training part + validation item).
 * Without validation cases, each training sequence's last item plays their part (holdOutLastItems).
 *
 * `scoreAll` puts every candidate above every other item (those keep the sequence model's order
 * below them), so HR@N with N = the list size is retrieval's recall: the ceiling of the re-ranker.
 */
import { ERROR_CODES, PermanentError } from '@recstream/errors';
import {
  itemCounts,
  trainSequenceModel,
  type EvalCase,
  type InteractionDataset,
  type Recommender,
  type ScoreQuery,
  type SequenceHyperParameters,
  type TensorFlow,
  type UserSequence,
} from '@recstream/models';
import { trainItemKnn, type ItemKnnOptions } from '../baselines/item-knn.js';
import { mergeCandidates, type CandidateList } from './candidates.js';
import { RANKING_FEATURE_COUNT, rankingFeatures, type PageType } from './features.js';
import { offlineFeatureSource, type OfflineFeatureSource } from './offline-features.js';
import { concatGroups } from './ranking-groups.js';
import type { RankerHyperParameters } from './ranker-hyper-parameters.js';
import {
  trainRanker,
  type RankerEpoch,
  type RankerModel,
  type RankerTrainingSummary,
} from './ranker-model.js';

export const TWO_STAGE_MODEL_NAME = 'sasrec-ranker';

export interface RetrievalOptions {
  /** Candidates per list (the ranker's input size and the recall cut-off). */
  readonly candidates: number;
  /** Of which at least this many come from co-visitation … */
  readonly covisitCandidates: number;
  /** … and this many from popularity; the sequence model fills the rest. */
  readonly popularCandidates: number;
}

export const DEFAULT_RETRIEVAL_OPTIONS: RetrievalOptions = {
  candidates: 150,
  covisitCandidates: 50,
  popularCandidates: 10,
};

/** The co-visitation source's settings for next-item data (chosen for itemknn on Beauty's validation). */
export const TWO_STAGE_ITEM_KNN: ItemKnnOptions = {
  similarity: 'jaccard',
  neighbours: 500,
  recencyDecay: 0.5,
};

/** Queries scored per stage-one call (memory: this × numItems floats per source). */
const BATCH = 256;
/** Non-candidates sit this far below: ranker logits are clamped to ±RANKER_LIMIT. */
const BELOW_CANDIDATES = 1e4;
const RANKER_LIMIT = 1e3;

/** A stage-one model; those holding tensors (the sequence model) free them in `dispose`. */
export type StageOneModel = Recommender & { dispose?(): void };

/** Stage one for a batch of queries: each query's candidate list and its feature rows. */
export interface CandidateBatch {
  readonly lists: CandidateList[];
  /** Row-major Σ list lengths × RANKING_FEATURE_COUNT, lists in query order. */
  readonly features: Float32Array;
  /** The sequence model's full scores (queries × numItems), for ordering the non-candidates. */
  readonly sequenceScores: Float32Array;
}

/** Retrieval plus feature computation, shared by training (validation cases) and scoring. */
export class CandidateGenerator {
  private readonly popularity: Float32Array;

  constructor(
    readonly sequence: StageOneModel,
    readonly covisitation: StageOneModel,
    trainingCounts: Float64Array,
    private readonly source: OfflineFeatureSource,
    private readonly options: RetrievalOptions,
    private readonly pageType: PageType = 'other',
  ) {
    if (sequence.numItems !== covisitation.numItems || trainingCounts.length !== sequence.numItems)
      throw new PermanentError(
        ERROR_CODES.invalidInput,
        'two-stage: the sources disagree on the catalogue size',
      );
    this.popularity = Float32Array.from(trainingCounts);
  }

  get numItems(): number {
    return this.sequence.numItems;
  }

  async generate(queries: readonly ScoreQuery[]): Promise<CandidateBatch> {
    const { numItems, options } = this;
    const [sequenceScores, covisitScores] = await Promise.all([
      this.sequence.scoreAll(queries),
      this.covisitation.scoreAll(queries),
    ]);
    const lists: CandidateList[] = [];
    const rows: Float32Array[] = [];
    const masked = new Uint8Array(numItems);
    for (const [index, query] of queries.entries()) {
      const sequenceRow = sequenceScores.subarray(index * numItems, (index + 1) * numItems);
      const covisitRow = covisitScores.subarray(index * numItems, (index + 1) * numItems);
      for (const item of query.history) masked[item] = 1;
      const list = mergeCandidates(
        [
          { scores: sequenceRow, take: options.candidates },
          { scores: covisitRow, take: options.covisitCandidates },
          { scores: this.popularity, take: options.popularCandidates },
        ],
        options.candidates,
        masked,
      );
      for (const item of query.history) masked[item] = 0;
      lists.push(list);
      rows.push(
        rankingFeatures({
          shopper: this.source.shopper(query),
          context: { pageType: this.pageType },
          candidates: Array.from(list.items, (item, position) => {
            const { itemId, categories, stats } = this.source.items[item] ?? missingItem(item);
            return {
              itemId,
              categories,
              stats,
              scores: {
                sequence: sequenceRow[item] ?? 0,
                covisitation: Math.max(covisitRow[item] ?? 0, 0),
                retrievalRank: list.ranks[position] ?? 0,
              },
            };
          }),
        }),
      );
    }
    const features = new Float32Array(rows.reduce((sum, row) => sum + row.length, 0));
    let offset = 0;
    for (const row of rows) {
      features.set(row, offset);
      offset += row.length;
    }
    return { lists, features, sequenceScores };
  }
}

function missingItem(item: number): never {
  throw new PermanentError(ERROR_CODES.invalidInput, `two-stage: item ${item} has no features`);
}

export class TwoStageRecommender implements Recommender {
  readonly name = TWO_STAGE_MODEL_NAME;

  constructor(
    readonly generator: CandidateGenerator,
    readonly ranker: RankerModel,
  ) {}

  get numItems(): number {
    return this.generator.numItems;
  }

  /** Frees the ranker's and the stage-one models' tensors; the recommender is unusable after. */
  dispose(): void {
    this.ranker.dispose();
    this.generator.sequence.dispose?.();
    this.generator.covisitation.dispose?.();
  }

  async scoreAll(queries: readonly ScoreQuery[]): Promise<Float32Array> {
    const { numItems } = this;
    const out = new Float32Array(queries.length * numItems);
    for (let start = 0; start < queries.length; start += BATCH) {
      const batch = queries.slice(start, start + BATCH);
      const { lists, features, sequenceScores } = await this.generator.generate(batch);
      const logits = this.ranker.score(features);
      let row = 0;
      for (const [index, list] of lists.entries()) {
        const base = (start + index) * numItems;
        const sequenceRow = sequenceScores.subarray(index * numItems, (index + 1) * numItems);
        for (let item = 0; item < numItems; item += 1)
          out[base + item] = (sequenceRow[item] ?? 0) - BELOW_CANDIDATES;
        for (const item of list.items) {
          const logit = logits[row] ?? 0;
          out[base + item] = Math.min(Math.max(logit, -RANKER_LIMIT), RANKER_LIMIT);
          row += 1;
        }
      }
    }
    return out;
  }
}

export interface TwoStageTrainingContext {
  /** Training part of the split (time order). */
  readonly train: readonly UserSequence[];
  /**
   * Validation cases: the sequence model's early stopping and the ranker's labels; when absent,
   * the last item of each training sequence is held out for both.
   */
  readonly validation: readonly EvalCase[] | undefined;
  readonly numItems: number;
  readonly dataset?: Pick<InteractionDataset, 'itemAttributes' | 'numAttributes'> | undefined;
  readonly seed: number;
  readonly sequence?: Partial<SequenceHyperParameters> | undefined;
  readonly ranker?: Partial<RankerHyperParameters> | undefined;
  readonly retrieval?: Partial<RetrievalOptions> | undefined;
  readonly onProgress?: ((done: number, total: number) => void) | undefined;
  readonly onEvent?: ((event: TwoStageEvent) => void) | undefined;
  readonly tf?: TensorFlow | undefined;
}

export type TwoStageEvent =
  | {
      readonly kind: 'retrieval';
      readonly cases: number;
      readonly recall: number;
      readonly candidates: number;
    }
  | ({ readonly kind: 'ranker' } & RankerEpoch);

export interface TwoStageTrainingSummary {
  /** Share of validation cases whose item was among the candidates. */
  readonly validationRecall: number;
  readonly ranker: RankerTrainingSummary;
}

export type TrainedTwoStage = TwoStageRecommender & { readonly training: TwoStageTrainingSummary };

/**
 * Without validation cases (a protocol that has none, or `--split validation`, where they are the
 * scored set), the labels come from each training sequence's last item instead: stage one trains
 * on the sequences without it, exactly as it trains without the validation items otherwise.
 * Sequences shorter than 3 items stay whole and give no label.
 */
export function holdOutLastItems(train: readonly UserSequence[]): {
  train: UserSequence[];
  labels: EvalCase[];
} {
  const kept: UserSequence[] = [];
  const labels: EvalCase[] = [];
  for (const sequence of train) {
    const n = sequence.items.length;
    if (n < 3) {
      kept.push(sequence);
      continue;
    }
    const items = sequence.items.slice(0, n - 1);
    kept.push({
      user: sequence.user,
      items,
      ...(sequence.times === undefined ? {} : { times: sequence.times.slice(0, n - 1) }),
    });
    labels.push({ user: sequence.user, history: items, targets: sequence.items.slice(n - 1) });
  }
  return { train: kept, labels };
}

export async function trainTwoStage(context: TwoStageTrainingContext): Promise<TrainedTwoStage> {
  const { numItems, seed } = context;
  const { train, labels: validation } =
    context.validation !== undefined && context.validation.length > 0
      ? { train: context.train, labels: context.validation }
      : holdOutLastItems(context.train);
  if (validation.length === 0)
    throw new PermanentError(
      ERROR_CODES.invalidInput,
      `${TWO_STAGE_MODEL_NAME}: no validation cases and no training sequence of 3 or more items to take labels from`,
    );
  const retrieval = { ...DEFAULT_RETRIEVAL_OPTIONS, ...context.retrieval };
  for (const [name, value] of Object.entries(retrieval))
    if (!Number.isInteger(value) || value < 0)
      throw new PermanentError(
        ERROR_CODES.invalidInput,
        `${TWO_STAGE_MODEL_NAME}: ${name} must be an integer ≥ 0, got ${value}`,
      );

  const sequence = await trainSequenceModel({
    train,
    validation,
    numItems,
    dataset: context.dataset,
    seed,
    hyper: context.sequence,
    onProgress: context.onProgress,
    tf: context.tf,
  });
  try {
    const covisitation = trainItemKnn(train, numItems, { seed }, TWO_STAGE_ITEM_KNN);
    const counts = itemCounts(train, numItems);
    const generator = new CandidateGenerator(
      sequence,
      covisitation,
      counts,
      offlineFeatureSource(counts, context.dataset?.itemAttributes),
      retrieval,
    );

    // Labelled lists from the validation cases; only those that caught the item teach an ordering.
    const lists: { features: Float32Array; labels: Float32Array }[] = [];
    const width = RANKING_FEATURE_COUNT;
    for (let start = 0; start < validation.length; start += BATCH) {
      const cases = validation.slice(start, start + BATCH);
      const batch = await generator.generate(cases.map(({ user, history }) => ({ user, history })));
      let offset = 0;
      for (const [index, list] of batch.lists.entries()) {
        const rows = list.items.length;
        const targets = new Set(cases[index]?.targets ?? []);
        const labels = Float32Array.from(list.items, (item) => (targets.has(item) ? 1 : 0));
        // Short lists (a shopper who knows almost the whole catalogue) cannot join fixed-size groups.
        if (rows === retrieval.candidates && labels.includes(1))
          lists.push({ features: batch.features.slice(offset * width, (offset + rows) * width), labels });
        offset += rows;
      }
    }
    const recall = lists.length / validation.length;
    context.onEvent?.({
      kind: 'retrieval',
      cases: validation.length,
      recall,
      candidates: retrieval.candidates,
    });

    const ranker = trainRanker({
      train: concatGroups(lists, retrieval.candidates, width),
      seed,
      hyper: context.ranker,
      tf: context.tf,
      onEpoch: (epoch) => context.onEvent?.({ kind: 'ranker', ...epoch }),
    });
    return Object.assign(new TwoStageRecommender(generator, ranker), {
      training: { validationRecall: recall, ranker: ranker.training },
    });
  } catch (error) {
    sequence.dispose();
    throw error;
  }
}
