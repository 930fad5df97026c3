/**
 * Scores prequential cases with one model: full ranking of its whole catalogue from the case's
 * history (history items masked), HR@K and NDCG@K of the single target, with the same top-K
 * selection and list metrics as the offline evaluation (`@recstream/models`). What the model does
 * not know cannot be ranked: a target outside its id map, or a history of only unknown items,
 * is a miss — which is exactly what a model that has not learned new items suffers.
 */
import { listMetrics, selectTopK, type ItemIndex, type Recommender } from '@recstream/models';
import type { PrequentialCase } from './prequential-cases.js';

/** Per-case results, aligned with the cases scored. */
export interface CaseScores {
  readonly hit: Float64Array;
  readonly ndcg: Float64Array;
  /** 1 when the model's id map did not have the target (a forced miss). */
  readonly unknownTarget: Uint8Array;
}

/** Queries per `scoreAll` call: memory is CHUNK × catalogue floats. */
const CHUNK = 256;

export function emptyScores(size: number): CaseScores {
  return { hit: new Float64Array(size), ndcg: new Float64Array(size), unknownTarget: new Uint8Array(size) };
}

/** Writes the scores of `cases` into `into` from offset `at` (so segments fill one array). */
export async function scoreCases(
  model: Pick<Recommender, 'numItems' | 'scoreAll'>,
  index: Pick<ItemIndex, 'get'>,
  cases: readonly PrequentialCase[],
  k: number,
  into: CaseScores = emptyScores(cases.length),
  at = 0,
): Promise<CaseScores> {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
  const numItems = model.numItems;
  const masked = new Uint8Array(numItems);
  for (let start = 0; start < cases.length; start += CHUNK) {
    const scorable: { row: number; history: Int32Array; target: number }[] = [];
    for (let row = start; row < Math.min(start + CHUNK, cases.length); row += 1) {
      const evalCase = cases[row] as PrequentialCase;
      const target = index.get(evalCase.target);
      if (target === undefined) {
        into.unknownTarget[at + row] = 1;
        continue;
      }
      const history = Int32Array.from(
        evalCase.history.map((id) => index.get(id)).filter((i): i is number => i !== undefined),
      );
      if (history.length > 0) scorable.push({ row, history, target });
    }
    if (scorable.length === 0) continue;
    const scores = await model.scoreAll(scorable.map((c, user) => ({ user, history: c.history })));
    scorable.forEach(({ row, history, target }, r) => {
      for (const item of history) masked[item] = 1;
      const top = selectTopK(scores.subarray(r * numItems, (r + 1) * numItems), k, masked);
      for (const item of history) masked[item] = 0;
      const metrics = listMetrics(top, k, 1, (item) => item === target);
      into.hit[at + row] = metrics.hitRate;
      into.ndcg[at + row] = metrics.ndcg;
    });
  }
  return into;
}
