/**
 * Prequential scoring of a stream that went through the real pipeline: each case is scored by the
 * registry version that was live when its event was accepted — a version that cannot have learned
 * the event, which was not even in Kafka yet. Versions are loaded one at a time (each scores all
 * of its cases together) so memory holds one model, whatever the number of versions.
 */
import type { ItemIndex, Recommender } from '@recstream/models';
import type { PrequentialCase } from './prequential-cases.js';
import { emptyScores, scoreCases, type CaseScores } from './score-cases.js';

export interface LoadedVersion {
  readonly model: Pick<Recommender, 'numItems' | 'scoreAll'>;
  readonly index: Pick<ItemIndex, 'get'>;
  dispose(): void;
}

/** `versionOf[i]` names the version that scores `cases[i]`. */
export async function scoreByVersion(
  cases: readonly PrequentialCase[],
  versionOf: readonly string[],
  load: (version: string) => Promise<LoadedVersion>,
  k: number,
): Promise<CaseScores> {
  if (versionOf.length !== cases.length)
    throw new RangeError(`${cases.length} cases but ${versionOf.length} version assignments`);
  const rowsOf = new Map<string, number[]>();
  versionOf.forEach((version, row) => {
    const rows = rowsOf.get(version);
    if (rows === undefined) rowsOf.set(version, [row]);
    else rows.push(row);
  });
  const scores = emptyScores(cases.length);
  for (const [version, rows] of rowsOf) {
    const loaded = await load(version);
    try {
      const part = await scoreCases(
        loaded.model,
        loaded.index,
        rows.map((row) => cases[row] as PrequentialCase),
        k,
      );
      rows.forEach((row, i) => {
        scores.hit[row] = part.hit[i] ?? 0;
        scores.ndcg[row] = part.ndcg[i] ?? 0;
        scores.unknownTarget[row] = part.unknownTarget[i] ?? 0;
      });
    } finally {
      loaded.dispose();
    }
  }
  return scores;
}
