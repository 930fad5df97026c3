/**
 * Prequential scoring of a stream that went through the real pipeline: each case is scored by the
 * registry version that was live when its event was accepted — a version that cannot have learned
 * the event, which was not even in Kafka yet. Versions are loaded one at a time (each scores all
 * of its cases together) so memory holds one model, whatever the number of versions.
 */
import { ItemIndex, type LoadedSequenceModel, type Recommender, type TensorFlow } from '@recstream/models';
import type { PrequentialCase } from './prequential-cases.js';
import { prequentialReport, type PrequentialReport, type ReportOptions } from './prequential-report.js';
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

/** Where versions are loaded from: the model registry (`loadSequenceModel`). */
export interface VersionSource {
  loadSequenceModel(model: string, version: string, tf: TensorFlow): Promise<LoadedSequenceModel>;
}

/** Loads versions of `model` from the registry, one at a time, for `scoreByVersion`. */
export function registryVersions(
  registry: VersionSource,
  model: string,
  tf: TensorFlow,
): (version: string) => Promise<LoadedVersion> {
  return async (version) => {
    const loaded = await registry.loadSequenceModel(model, version, tf);
    return {
      model: loaded.model,
      index: new ItemIndex(loaded.itemIds ?? []),
      dispose: () => loaded.model.dispose(),
    };
  };
}

/**
 * The prequential comparison of a replayed stream: each case scored online (by `onlineVersion`,
 * the version live when its event was accepted) and frozen (by `frozenVersion`), hits at `k`.
 */
export async function onlineVersusFrozen(
  cases: readonly PrequentialCase[],
  versions: {
    readonly online: (c: PrequentialCase) => string;
    readonly frozen: string;
    readonly load: (version: string) => Promise<LoadedVersion>;
  },
  k: number,
  streamEvents: number,
  options: ReportOptions,
): Promise<PrequentialReport> {
  const online = await scoreByVersion(cases, cases.map(versions.online), versions.load, k);
  const frozen = await scoreByVersion(
    cases,
    cases.map(() => versions.frozen),
    versions.load,
    k,
  );
  return prequentialReport(
    { k, online, frozen },
    cases.map((c) => c.position),
    streamEvents,
    options,
  );
}
