/** Quality of a ranker on labelled groups: ROC AUC over all rows and NDCG@K within groups. */
import type { RankingGroups } from './ranking-groups.js';

/**
 * Area under the ROC curve: the probability that a random positive scores above a random negative
 * (ties count half), from the rank sum (Mann–Whitney U). NaN when either class is empty.
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  if (labels.length !== n) throw new RangeError(`${n} scores for ${labels.length} labels`);
  const order = Array.from({ length: n }, (_, index) => index).sort(
    (a, b) => (scores[a] ?? 0) - (scores[b] ?? 0),
  );
  let positives = 0;
  let positiveRankSum = 0;
  for (let start = 0; start < n;) {
    let end = start;
    const score = scores[order[start] ?? 0] ?? 0;
    while (end < n && (scores[order[end] ?? 0] ?? 0) === score) end += 1;
    const averageRank = (start + 1 + end) / 2; // 1-based ranks start+1..end share their mean
    for (let i = start; i < end; i += 1)
      if ((labels[order[i] ?? 0] ?? 0) === 1) {
        positives += 1;
        positiveRankSum += averageRank;
      }
    start = end;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * Mean binary-relevance NDCG@k over the groups that have a positive, each group ranked by
 * `scores` (ties to the earlier row). 0 when no group has a positive.
 */
export function groupNdcg(groups: RankingGroups, scores: Float32Array, k: number): number {
  const { size, labels } = groups;
  let total = 0;
  let counted = 0;
  for (let start = 0; start < labels.length; start += size) {
    let relevant = 0;
    for (let row = start; row < start + size; row += 1) relevant += labels[row] ?? 0;
    if (relevant === 0) continue;
    const order = Array.from({ length: size }, (_, index) => start + index).sort(
      (a, b) => (scores[b] ?? 0) - (scores[a] ?? 0) || a - b,
    );
    let dcg = 0;
    for (const [rank, row] of order.slice(0, k).entries())
      if ((labels[row] ?? 0) === 1) dcg += 1 / Math.log2(rank + 2);
    let ideal = 0;
    for (let rank = 0; rank < Math.min(relevant, k); rank += 1) ideal += 1 / Math.log2(rank + 2);
    total += dcg / ideal;
    counted += 1;
  }
  return counted === 0 ? 0 : total / counted;
}
