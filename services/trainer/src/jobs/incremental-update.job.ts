/**
 * The incremental update: learn the events beyond the head version's watermark and save the
 * result as a new version whose parent is the head, then let the guardrail decide whether it
 * goes live.
 *
 *   head ── watermark W ──▶ batch = next ≤ maxBatchEvents events beyond W (a prefix per partition)
 *        learn = the older part, holdout = the newest `holdoutFraction` (beyond the new watermark)
 *        warm start from the head's artifact, admit new items, train on learn + replay
 *        save version (watermark W + learn) ──▶ judge on holdout vs live ──▶ publish | reject | hold
 *
 * The watermark is written only inside the saved version, so a crash anywhere before the save
 * leaves the head unchanged and the next run learns exactly the same events. The head is the
 * newest version not rolled back, published or not: training keeps going while the guardrail
 * holds the live version back, and a rollback resets it.
 */
import { createHash } from 'node:crypto';
import { ERROR_CODES, PermanentError } from '@recstream/errors';
import { readBatch, readCatalogItems, readHistories, sampleReplayUsers } from '../data/event-log.reader.js';
import { evaluateHoldout, holdoutCases } from '../learning/holdout.js';
import { ItemIndex, updateSequenceModel, type UpdateSequence } from '@recstream/models';
import { advanceWatermark, splitHoldout, watermarkKey, type Watermark } from '../watermark/watermark.js';
import { saveAndJudge } from './guarded-publish.js';
import type { SequenceJobDeps, SequenceSettings } from './sequence-settings.js';
import { groupByUser, itemsOf, unknownToCatalog } from './training-data.js';

export type IncrementalOutcome =
  | { readonly outcome: 'no-base'; readonly reason: string }
  | { readonly outcome: 'empty'; readonly head: string; readonly watermark: Watermark }
  | {
      readonly outcome: 'publish' | 'reject' | 'hold';
      readonly version: string;
      readonly parent: string;
      readonly events: number;
      readonly holdoutEvents: number;
      readonly watermark: Watermark;
      readonly metrics: Readonly<Record<string, number>>;
    };

/**
 * A seed per update, fixed by what the head has learned (its watermark, not its name, which holds
 * a timestamp): a re-run after a crash learns identically, and so does a replay of the same log.
 */
function seedFor(base: number, learned: string): number {
  return (base ^ createHash('sha256').update(learned).digest().readUInt32LE(0)) >>> 0;
}

export async function runIncrementalUpdate(
  deps: SequenceJobDeps,
  settings: SequenceSettings,
): Promise<IncrementalOutcome> {
  const progress = deps.progress ?? (() => Promise.resolve());
  const { clickhouse, registry } = deps;
  await progress('reading', 5);
  const head = await registry.head(settings.model);
  if (head === undefined)
    return { outcome: 'no-base', reason: `${settings.model} has no version yet; run a full training first` };
  const batch = await readBatch(clickhouse, head.watermark, settings.maxBatchEvents);
  if (batch.length === 0) return { outcome: 'empty', head: head.version, watermark: head.watermark };

  const { learn, holdout } = splitHoldout(batch, settings.holdoutFraction);
  const learnByUser = groupByUser(learn);
  const users = [...learnByUser.keys()];
  const loaded = await registry.loadSequenceModel(settings.model, head.version, deps.tf);
  try {
    if (loaded.itemIds === undefined)
      throw new PermanentError(
        ERROR_CODES.invalidInput,
        `${settings.model}/${head.version} has no item id map`,
      );
    const maxLength = loaded.model.hyper.maxLength;
    const histories = await readHistories(clickhouse, users, head.watermark, maxLength);
    const learned = watermarkKey(head.watermark);
    const replayUsers = await sampleReplayUsers(
      clickhouse,
      head.watermark,
      users,
      settings.replayUsers,
      `${settings.seed}/${learned}`,
    );
    const replayHistories = await readHistories(clickhouse, replayUsers, head.watermark, maxLength + 1);
    const catalog = await readCatalogItems(clickhouse, [...new Set(itemsOf(learn))]);

    await progress('training', 30);
    const index = new ItemIndex(loaded.itemIds);
    const sequences: UpdateSequence[] = users.map((user) => ({
      context: itemsOf(histories.get(user) ?? []),
      learn: itemsOf(learnByUser.get(user) ?? []),
    }));
    const replay: UpdateSequence[] = replayUsers.map((user) => ({
      context: [],
      learn: itemsOf(replayHistories.get(user) ?? []),
    }));
    const summary = updateSequenceModel(loaded.model, index, sequences, replay, {
      epochs: settings.epochs,
      seed: seedFor(settings.seed, learned),
    });
    const watermark = advanceWatermark(head.watermark, learn);

    await progress('evaluating', 65);
    const holdoutUsers = [...new Set(holdout.map((event) => event.user))];
    const cases = holdoutCases(await readHistories(clickhouse, holdoutUsers, watermark, maxLength), holdout);
    const candidateMetrics = await evaluateHoldout(loaded.model, index, cases);
    const unknown = unknownToCatalog(learn, catalog);
    const metrics = {
      events: learn.length,
      interactions: itemsOf(learn).length,
      targets: summary.targets,
      newItems: summary.newItems,
      items: index.size,
      unknownCatalogItems: unknown.items,
      unknownCatalogInteractions: unknown.interactions,
      replayUsers: replayUsers.length,
      replayTargets: summary.replayTargets,
      steps: summary.steps,
      meanLoss: summary.meanLoss,
      trainMs: Math.round(summary.trainMs),
      holdoutEvents: holdout.length,
      'holdout.cases': candidateMetrics.cases,
      'holdout.hr10': candidateMetrics.hr10,
      'holdout.ndcg10': candidateMetrics.ndcg10,
    };

    const { record, verdict } = await saveAndJudge(
      deps,
      settings,
      {
        kind: 'incremental',
        parent: head.version,
        learn,
        watermark,
        metrics,
        hyperParameters: {
          ...loaded.model.hyper,
          epochs: settings.epochs,
          replayUsers: settings.replayUsers,
          maxBatchEvents: settings.maxBatchEvents,
          holdoutFraction: settings.holdoutFraction,
        },
        model: loaded.model,
        index,
        holdout: { cases, metrics: candidateMetrics },
      },
      progress,
    );
    return {
      outcome: verdict.action,
      version: record.version,
      parent: head.version,
      events: learn.length,
      holdoutEvents: holdout.length,
      watermark,
      metrics,
    };
  } finally {
    loaded.model.dispose();
  }
}
