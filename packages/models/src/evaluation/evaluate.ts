/**
 * Full-ranking offline evaluation: every item of the catalog is scored for every case, the
 * case's history is masked, and the top of the remaining ranking is compared with the held-out
 * targets. No sampled negatives (their numbers are not comparable with full-ranking ones).
 */
import { ERROR_CODES, PermanentError } from '@recstream/errors';
import type { Recommender } from '../recommender.js';
import { intraListDiversity, listMetrics, selfInformation } from './metrics.js';
import { rankOf, selectTopK } from './top-k.js';

/** One user to rank for: the history the model may use (and that is masked), and the relevant items. */
export interface EvalCase {
  readonly user: number;
  /** Known items, oldest first; the harness never recommends them. */
  readonly history: Int32Array;
  /** Held-out items that count as relevant. */
  readonly targets: Int32Array;
}

export interface EvaluateOptions {
  /** Cut-offs, e.g. [10, 20]. */
  readonly ks: readonly number[];
  /** Cases scored per `scoreAll` call; memory is batchSize × numItems floats. Default 256. */
  readonly batchSize?: number;
  /** Training interaction count per item; enables novelty@K. */
  readonly itemPopularity?: Float64Array;
  /** Attribute ids per item; enables intra-list diversity@K (1 − attribute Jaccard). */
  readonly itemAttributes?: readonly Int32Array[];
  readonly onProgress?: (done: number, total: number) => void;
}

/** Means over the evaluated cases, except coverage (a property of all lists together). */
export interface MetricsAtK {
  readonly k: number;
  /** Share of cases with at least one target in the top K (HR@K; equals Recall@K with one target). */
  readonly hitRate: number;
  /** Targets found in the top K / targets of the case. */
  readonly recall: number;
  /** Targets found in the top K / K. */
  readonly precision: number;
  /** Binary-relevance NDCG, ideal DCG over min(targets, K) ranks. */
  readonly ndcg: number;
  /** Share of the catalog that appears in at least one top-K list. */
  readonly coverage: number;
  /** Mean pairwise (1 − Jaccard of attribute sets) within a top-K list; with `itemAttributes`. */
  readonly diversity?: number;
  /** Mean self-information −log2 p(item) of the top-K items; with `itemPopularity`. */
  readonly novelty?: number;
}

export interface EvaluationReport {
  readonly cases: number;
  readonly numItems: number;
  /** Mean reciprocal rank of the best-ranked target over the full ranking (0 when all are masked). */
  readonly mrr: number;
  readonly atK: readonly MetricsAtK[];
}

function invalid(message: string): PermanentError {
  return new PermanentError(ERROR_CODES.invalidInput, message);
}

function checkItems(items: Int32Array, numItems: number, what: string, user: number): void {
  for (const item of items)
    if (!(item >= 0 && item < numItems))
      throw invalid(`case of user ${user}: ${what} item ${item} is outside 0..${numItems - 1}`);
}

interface Accumulator {
  hitRate: number;
  recall: number;
  precision: number;
  ndcg: number;
  diversity: number;
  diversityLists: number;
  novelty: number;
  recommended: Uint8Array;
}

/**
 * Ranks every case with `recommender` and averages the metrics. Targets count once each (they are
 * de-duplicated); a target that is also in the history is masked like the rest of it and so
 * counts as a miss, as in the published protocols.
 */
export async function evaluate(
  recommender: Recommender,
  cases: readonly EvalCase[],
  options: EvaluateOptions,
): Promise<EvaluationReport> {
  const { numItems } = recommender;
  const ks = [...new Set(options.ks)].sort((a, b) => a - b);
  if (ks.length === 0 || ks.some((k) => !Number.isInteger(k) || k < 1))
    throw invalid(`ks must be positive integers, got [${options.ks.join(', ')}]`);
  const batchSize = options.batchSize ?? 256;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw invalid(`batchSize must be a positive integer, got ${batchSize}`);
  if (cases.length === 0) throw invalid('no cases to evaluate');
  if (options.itemPopularity !== undefined && options.itemPopularity.length !== numItems)
    throw invalid(`itemPopularity has ${options.itemPopularity.length} entries for ${numItems} items`);
  if (options.itemAttributes !== undefined && options.itemAttributes.length !== numItems)
    throw invalid(`itemAttributes has ${options.itemAttributes.length} entries for ${numItems} items`);

  const information =
    options.itemPopularity === undefined ? undefined : selfInformation(options.itemPopularity);
  const attributes = options.itemAttributes?.map((set) => Int32Array.from(new Set(set)).sort());
  const maxK = ks[ks.length - 1] ?? 1;
  const totals: Accumulator[] = ks.map(() => ({
    hitRate: 0,
    recall: 0,
    precision: 0,
    ndcg: 0,
    diversity: 0,
    diversityLists: 0,
    novelty: 0,
    recommended: new Uint8Array(numItems),
  }));
  let reciprocalRanks = 0;
  // Reused per case: set for the case's items, cleared after.
  const masked = new Uint8Array(numItems);
  const relevant = new Uint8Array(numItems);
  const isRelevant = (item: number): boolean => relevant[item] === 1;

  options.onProgress?.(0, cases.length);
  for (let start = 0; start < cases.length; start += batchSize) {
    const batch = cases.slice(start, start + batchSize);
    const scores = await recommender.scoreAll(batch.map(({ user, history }) => ({ user, history })));
    if (scores.length !== batch.length * numItems)
      throw invalid(
        `${recommender.name}.scoreAll returned ${scores.length} scores for ${batch.length} queries × ${numItems} items`,
      );
    for (const [row, evalCase] of batch.entries()) {
      const { user, history, targets } = evalCase;
      checkItems(history, numItems, 'history', user);
      checkItems(targets, numItems, 'target', user);
      if (targets.length === 0) throw invalid(`case of user ${user} has no targets`);
      const rowScores = scores.subarray(row * numItems, (row + 1) * numItems);
      for (const item of history) masked[item] = 1;
      let relevantCount = 0;
      for (const item of targets) {
        if (relevant[item] === 0) relevantCount += 1;
        relevant[item] = 1;
      }

      const top = selectTopK(rowScores, maxK, masked);
      for (const [index, k] of ks.entries()) {
        const total = totals[index];
        if (total === undefined) continue;
        const list = top.subarray(0, k);
        const metrics = listMetrics(list, k, relevantCount, isRelevant);
        total.hitRate += metrics.hitRate;
        total.recall += metrics.recall;
        total.precision += metrics.precision;
        total.ndcg += metrics.ndcg;
        for (const item of list) total.recommended[item] = 1;
        if (attributes !== undefined && list.length >= 2) {
          total.diversity += intraListDiversity(list, attributes);
          total.diversityLists += 1;
        }
        if (information !== undefined && list.length > 0) {
          let sum = 0;
          for (const item of list) sum += information[item] ?? 0;
          total.novelty += sum / list.length;
        }
      }

      // The best-ranked unmasked target decides the reciprocal rank; only it needs a full pass.
      let best = -1;
      for (const item of targets) {
        if (masked[item] === 1) continue;
        const score = rowScores[item] ?? 0;
        const bestScore = rowScores[best] ?? 0;
        if (best === -1 || score > bestScore || (score === bestScore && item < best)) best = item;
      }
      if (best !== -1) reciprocalRanks += 1 / rankOf(rowScores, best, masked);

      for (const item of history) masked[item] = 0;
      for (const item of targets) relevant[item] = 0;
    }
    options.onProgress?.(Math.min(start + batchSize, cases.length), cases.length);
  }

  const n = cases.length;
  return {
    cases: n,
    numItems,
    mrr: reciprocalRanks / n,
    atK: ks.map((k, index) => {
      const total = totals[index] as Accumulator;
      let covered = 0;
      for (const flag of total.recommended) covered += flag;
      return {
        k,
        hitRate: total.hitRate / n,
        recall: total.recall / n,
        precision: total.precision / n,
        ndcg: total.ndcg / n,
        coverage: covered / numItems,
        ...(attributes === undefined || total.diversityLists === 0
          ? {}
          : { diversity: total.diversity / total.diversityLists }),
        ...(information === undefined ? {} : { novelty: total.novelty / n }),
      };
    }),
  };
}
