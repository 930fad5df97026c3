/**
 * Next-event ranking on a held-out window: each held-out event is a case, as in the prequential
 * evaluation. The model ranks the whole catalogue from the shopper's history at that moment (the
 * learned history, then the earlier held-out events, history items masked) and is scored on the
 * event's items the shopper had not interacted with before: HR@K and NDCG@K, full ranking. A
 * target the model has never seen cannot be ranked and counts as a miss, so a model that learned
 * newer items is credited for it.
 *
 * Cases are events, not shoppers: a window whose newest events come from a few busy shoppers (a
 * user rating films in a burst) still holds enough cases to judge, and each case asks the question
 * serving answers: what comes next, given what came before.
 */
import { selectTopK, type ItemIndex, type Recommender } from '@recstream/models';
import type { LogEvent } from '../data/event-log.reader.js';

export interface HoldoutCase {
  readonly user: string;
  /** Interactions before the held-out event, oldest first. */
  readonly history: readonly string[];
  /** The event's distinct items not already in the history. */
  readonly targets: readonly string[];
}

export interface HoldoutMetrics {
  readonly cases: number;
  readonly hr10: number;
  readonly ndcg10: number;
}

const K = 10;
const CHUNK = 256;

/**
 * A case per held-out event that has something to predict from and something new to predict:
 * `histories` are each shopper's learned events, `holdout` the window's events, both in event-time
 * order. A shopper's first event, and an event repeating only items already seen, are not cases.
 */
export function holdoutCases(
  histories: ReadonlyMap<string, readonly LogEvent[]>,
  holdout: readonly LogEvent[],
): HoldoutCase[] {
  const historySoFar = new Map<string, string[]>();
  const cases: HoldoutCase[] = [];
  for (const event of holdout) {
    let history = historySoFar.get(event.user);
    if (history === undefined) {
      history = (histories.get(event.user) ?? []).flatMap((learned) => learned.items);
      historySoFar.set(event.user, history);
    }
    if (history.length > 0) {
      const seen = new Set(history);
      const targets = [...new Set(event.items)].filter((item) => !seen.has(item));
      if (targets.length > 0) cases.push({ user: event.user, history: [...history], targets });
    }
    history.push(...event.items);
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
