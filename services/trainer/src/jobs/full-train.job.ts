/**
 * Full training: a sequence model from scratch on the log from its start (at most
 * `maxFullTrainEvents`, a prefix of every partition, so the watermark is exact and incremental
 * updates continue from it), judged on the newest held-out part like any candidate.
 */
import { ItemIndex, trainSequenceModel, type UserSequence } from '@recstream/models';
import { readBatch, readCatalogItems } from '../data/event-log.reader.js';
import { evaluateHoldout, holdoutCases } from '../learning/holdout.js';
import { advanceWatermark, EMPTY_WATERMARK, splitHoldout, type Watermark } from '../watermark/watermark.js';
import { saveAndJudge } from './guarded-publish.js';
import type { SequenceJobDeps, SequenceSettings } from './sequence-settings.js';
import { groupByUser, itemsOf, unknownToCatalog } from './training-data.js';

export type FullTrainOutcome =
  | { readonly outcome: 'too-little-data'; readonly events: number }
  | {
      readonly outcome: 'publish' | 'reject' | 'hold';
      readonly version: string;
      readonly events: number;
      readonly watermark: Watermark;
      readonly metrics: Readonly<Record<string, number>>;
    };

export async function runFullTrain(
  deps: SequenceJobDeps,
  settings: SequenceSettings,
): Promise<FullTrainOutcome> {
  const progress = deps.progress ?? (() => Promise.resolve());
  await progress('reading', 5);
  const batch = await readBatch(deps.clickhouse, EMPTY_WATERMARK, settings.maxFullTrainEvents);
  const { learn, holdout } = splitHoldout(batch, settings.holdoutFraction);
  const byUser = groupByUser(learn);
  const index = new ItemIndex();
  const train: UserSequence[] = [...byUser.values()].map((events, user) => ({
    user,
    items: Int32Array.from(itemsOf(events), (id) => index.admit(id)),
  }));
  if (!train.some((sequence) => sequence.items.length >= 2))
    return { outcome: 'too-little-data', events: batch.length };

  await progress('training', 20);
  const model = await trainSequenceModel({
    train,
    numItems: index.size,
    seed: settings.seed,
    hyper: settings.hyper,
    tf: deps.tf,
    onProgress: (done, total) => void progress('training', 20 + Math.floor((50 * done) / total)),
  });
  try {
    const watermark = advanceWatermark(EMPTY_WATERMARK, learn);
    await progress('evaluating', 70);
    const cases = holdoutCases(byUser, holdout);
    const candidateMetrics = await evaluateHoldout(model, index, cases);
    const unknown = unknownToCatalog(
      learn,
      await readCatalogItems(deps.clickhouse, [...new Set(itemsOf(learn))]),
    );
    const metrics = {
      events: learn.length,
      interactions: itemsOf(learn).length,
      users: train.length,
      items: index.size,
      unknownCatalogItems: unknown.items,
      unknownCatalogInteractions: unknown.interactions,
      epochs: model.training.epochs,
      trainMs: Math.round(model.training.trainMs),
      holdoutEvents: holdout.length,
      'holdout.cases': candidateMetrics.cases,
      'holdout.hr10': candidateMetrics.hr10,
      'holdout.ndcg10': candidateMetrics.ndcg10,
    };
    const { record, verdict } = await saveAndJudge(
      deps,
      settings,
      {
        kind: 'full',
        parent: null,
        learn,
        watermark,
        metrics,
        hyperParameters: { ...model.hyper, holdoutFraction: settings.holdoutFraction },
        model,
        index,
        holdout: { cases, metrics: candidateMetrics },
      },
      progress,
    );
    return { outcome: verdict.action, version: record.version, events: learn.length, watermark, metrics };
  } finally {
    model.dispose();
  }
}
