/**
 * Next-events ranking on a held-out window: for each shopper with held-out events, the model ranks
 * the whole catalogue from the shopper's history (history items masked) and is scored on the
 * held-out items it had not interacted with before: HR@K and NDCG@K, full ranking. A target the
 * model has never seen cannot be ranked and counts as a miss, so a model that learned newer
 * items is credited for it.
 */
import { selectTopK, type Recommender } from '@recstream/models';
import type { LogEvent } from '../data/event-log.reader.js';
import type { ItemIndex } from './item-index.js';

export interface HoldoutCase {
  readonly user: string;
  /** Interactions before the held-out window, oldest first. */
  readonly history: readonly string[];
  /** Distinct held-out items not already in the history. */
  readonly targets: readonly string[];
}

export interface HoldoutMetrics {
  readonly cases: number;
  readonly hr10: number;
  readonly ndcg10: number;
}

const K = 10;
const CHUNK = 256;

/** Cases from each shopper's learned history and held-out events (both in event-time order). */
export function holdoutCases(
  histories: ReadonlyMap<string, readonly LogEvent[]>,
  holdout: readonly LogEvent[],
): HoldoutCase[] {
  const targetsOf = new Map<string, string[]>();
  for (const event of holdout) {
    const list = targetsOf.get(event.user) ?? [];
    list.push(...event.items);
    targetsOf.set(event.user, list);
  }
  const cases: HoldoutCase[] = [];
  for (const [user, items] of [...targetsOf.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const history = (histories.get(user) ?? []).flatMap((event) => event.items);
    if (history.length === 0) continue;
    const seen = new Set(history);
    const targets = [...new Set(items)].filter((item) => !seen.has(item));
    if (targets.length > 0) cases.push({ user, history, targets });
  }
  return cases;
}

export async function evaluateHoldout(
  model: Pick<Recommender, 'numItems' | 'scoreAll'>,
  index: ItemIndex,
  cases: readonly HoldoutCase[],
): Promise<HoldoutMetrics> {
  if (cases.length === 0) return { cases: 0, hr10: 0, ndcg10: 0 };
  let hits = 0;
  let ndcg = 0;
  for (let start = 0; start < cases.length; start += CHUNK) {
    const chunk = cases.slice(start, start + CHUNK);
    const encoded = chunk.map((c) => ({
      history: Int32Array.from(
        c.history.map((id) => index.get(id)).filter((i): i is number => i !== undefined),
      ),
      targets: new Set(c.targets.map((id) => index.get(id)).filter((i): i is number => i !== undefined)),
      targetCount: c.targets.length,
    }));
    // A history of only unknown items gives the model nothing to rank from: a miss, not an error.
    const scorable = encoded.filter((c) => c.history.length > 0);
    if (scorable.length === 0) continue;
    const scores = await model.scoreAll(scorable.map((c, user) => ({ user, history: c.history })));
    const n = model.numItems;
    const masked = new Uint8Array(n);
    scorable.forEach((c, row) => {
      for (const item of c.history) masked[item] = 1;
      const top = selectTopK(scores.subarray(row * n, (row + 1) * n), K, masked);
      for (const item of c.history) masked[item] = 0;
      let dcg = 0;
      let hit = false;
      top.forEach((item, rank) => {
        if (c.targets.has(item)) {
          hit = true;
          dcg += 1 / Math.log2(rank + 2);
        }
      });
      let ideal = 0;
      for (let rank = 0; rank < Math.min(K, c.targetCount); rank += 1) ideal += 1 / Math.log2(rank + 2);
      if (hit) hits += 1;
      ndcg += dcg / ideal;
    });
  }
  return { cases: cases.length, hr10: hits / cases.length, ndcg10: ndcg / cases.length };
}
