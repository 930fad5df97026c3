/**
 * Saves a trained candidate as a new version, judges it against the live version on the same
 * held-out cases and acts on the verdict: publish, or keep the live version (rejected / held),
 * recording the decision with the numbers either way.
 */
import { errorMessage } from '@recstream/errors';
import type { LogEvent } from '../data/event-log.reader.js';
import { judge, type Verdict } from '../guardrails/guardrail.js';
import { evaluateHoldout, type HoldoutCase, type HoldoutMetrics } from '../learning/holdout.js';
import { ItemIndex, type SequenceRecommender } from '@recstream/models';
import { keepLive, publishVersion } from '../registry/model-operations.js';
import { coversWatermark, mergeWatermarks, type Watermark } from '../watermark/watermark.js';
import { casesBeyond } from './holdout-window.js';
import { newVersionName, type NewVersion, type VersionRecord } from '@recstream/model-registry';
import type { SequenceJobDeps, SequenceSettings } from './sequence-settings.js';
import { timeSpan } from './training-data.js';

/** The live version's metrics on `cases`, or why they could not be measured. */
async function liveMetrics(
  deps: SequenceJobDeps,
  live: VersionRecord,
  cases: readonly HoldoutCase[],
): Promise<HoldoutMetrics | { unreadable: string }> {
  let loaded;
  try {
    loaded = await deps.registry.loadSequenceModel(live.model, live.version, deps.tf);
  } catch (error) {
    return { unreadable: errorMessage(error) };
  }
  try {
    return await evaluateHoldout(loaded.model, new ItemIndex(loaded.itemIds ?? []), cases);
  } finally {
    loaded.model.dispose();
  }
}

export async function judgeAndAct(
  deps: SequenceJobDeps,
  settings: SequenceSettings,
  candidate: VersionRecord,
  own: { readonly cases: readonly HoldoutCase[]; readonly metrics: HoldoutMetrics },
  score: (cases: readonly HoldoutCase[]) => Promise<HoldoutMetrics>,
  maxLength: number,
): Promise<{ verdict: Verdict; live: HoldoutMetrics | undefined }> {
  const { model: name } = settings;
  const live = await deps.registry.live(name);
  let { cases, metrics: candidateMetrics } = own;
  let measured: HoldoutMetrics | undefined;
  let verdict: Verdict;
  if (live === undefined || live.version === candidate.version) {
    verdict = judge(candidateMetrics, undefined, settings.guardrail);
  } else {
    if (!coversWatermark(candidate.watermark, live.watermark)) {
      // The live version has learned events the candidate holds out (a full training that read a
      // prefix of a long log, a promoted side branch): judge both on what neither has learned.
      cases = await casesBeyond(
        deps,
        settings,
        mergeWatermarks(candidate.watermark, live.watermark),
        maxLength,
      );
      candidateMetrics = await score(cases);
    }
    const result = await liveMetrics(deps, live, cases);
    if ('unreadable' in result) {
      verdict = { action: 'publish', reason: `the live version cannot be loaded (${result.unreadable})` };
    } else {
      measured = result;
      verdict = judge(
        candidateMetrics,
        { version: live.version, metrics: result, pinned: live.pinned },
        settings.guardrail,
      );
    }
  }
  const numbers = {
    holdoutCases: candidateMetrics.cases,
    candidate: candidateMetrics,
    live: measured,
    tolerance: settings.guardrail.tolerance,
  };
  deps.metrics.holdoutHr10.set({ model: name, role: 'candidate' }, candidateMetrics.hr10);
  deps.metrics.holdoutNdcg10.set({ model: name, role: 'candidate' }, candidateMetrics.ndcg10);
  if (measured !== undefined) {
    deps.metrics.holdoutHr10.set({ model: name, role: 'live' }, measured.hr10);
    deps.metrics.holdoutNdcg10.set({ model: name, role: 'live' }, measured.ndcg10);
  }
  deps.metrics.decisions.inc({ model: name, action: verdict.action });
  if (verdict.action === 'publish')
    await publishVersion(deps, name, candidate.version, {
      ...numbers,
      action: 'publish',
      reason: verdict.reason,
    });
  else
    await keepLive(deps, name, candidate.version, {
      ...numbers,
      action: verdict.action,
      reason: verdict.reason,
    });
  deps.logger.info(
    { model: name, version: candidate.version, action: verdict.action, reason: verdict.reason },
    'guardrail decision',
  );
  return { verdict, live: measured };
}

/** A trained model, as a training job hands it over to be saved and judged. */
export interface TrainedCandidate {
  readonly kind: NewVersion['kind'];
  readonly parent: string | null;
  /** The events it learned. */
  readonly learn: readonly LogEvent[];
  readonly watermark: Watermark;
  readonly metrics: NewVersion['metrics'];
  readonly hyperParameters: NewVersion['hyperParameters'];
  readonly model: SequenceRecommender;
  readonly index: ItemIndex;
  /** Its own held-out cases and its metrics on them. */
  readonly holdout: { readonly cases: readonly HoldoutCase[]; readonly metrics: HoldoutMetrics };
}

/** Saves the candidate as a new version, then judges it and acts on the verdict (`judgeAndAct`). */
export async function saveAndJudge(
  deps: SequenceJobDeps,
  settings: SequenceSettings,
  candidate: TrainedCandidate,
  progress: (stage: string, percent: number) => Promise<void>,
): Promise<{ record: VersionRecord; verdict: Verdict }> {
  const { learn, model, index } = candidate;
  await progress('saving', 80);
  const now = deps.now();
  const record = await deps.registry.saveSequenceModel(
    {
      model: settings.model,
      version: newVersionName(now, deps.suffix()),
      kind: candidate.kind,
      parent: candidate.parent,
      createdAt: now.toISOString(),
      dataWindow: { ...timeSpan(learn), events: learn.length },
      watermark: candidate.watermark,
      metrics: candidate.metrics,
      hyperParameters: candidate.hyperParameters,
    },
    model,
    index.itemIds,
  );
  deps.metrics.eventsLearned.inc({ model: settings.model }, learn.length);
  await deps.mirror.versions([record]);
  await progress('judging', 90);
  const { verdict } = await judgeAndAct(
    deps,
    settings,
    record,
    candidate.holdout,
    (on) => evaluateHoldout(model, index, on),
    model.hyper.maxLength,
  );
  await progress('done', 100);
  return { record, verdict };
}
