/**
 * Evaluates a version (the live one by default) on the newest events it has not learned — the
 * events beyond its watermark — and updates the held-out gauges. For the live version it also
 * compares with the numbers it was published with and raises the drift alert beyond the bound.
 */
import { ERROR_CODES, PermanentError } from '@recstream/errors';
import { holdoutDrift } from '../guardrails/guardrail.js';
import { evaluateHoldout, type HoldoutMetrics } from '../learning/holdout.js';
import { ItemIndex } from '@recstream/models';
import { casesBeyond } from './holdout-window.js';
import type { SequenceJobDeps, SequenceSettings } from './sequence-settings.js';

export interface EvaluateOutcome {
  readonly version: string;
  readonly metrics: HoldoutMetrics;
  readonly drift?: { readonly hr10: number; readonly ndcg10: number; readonly alert: boolean };
}

export async function runEvaluate(
  deps: SequenceJobDeps,
  settings: SequenceSettings,
  version: string | undefined,
): Promise<EvaluateOutcome> {
  const record =
    version === undefined
      ? await deps.registry.live(settings.model)
      : await deps.registry.get(settings.model, version);
  if (record === undefined)
    throw new PermanentError(ERROR_CODES.invalidInput, `${settings.model} has no live version to evaluate`);
  const loaded = await deps.registry.loadSequenceModel(settings.model, record.version, deps.tf);
  try {
    const cases = await casesBeyond(deps, settings, record.watermark, loaded.model.hyper.maxLength);
    const metrics = await evaluateHoldout(loaded.model, new ItemIndex(loaded.itemIds ?? []), cases);
    if (record.status !== 'live' || metrics.cases < settings.guardrail.minCases)
      return { version: record.version, metrics };
    deps.metrics.holdoutHr10.set({ model: settings.model, role: 'live' }, metrics.hr10);
    deps.metrics.holdoutNdcg10.set({ model: settings.model, role: 'live' }, metrics.ndcg10);
    const atPublish = {
      hr10: record.metrics['holdout.hr10'] ?? 0,
      ndcg10: record.metrics['holdout.ndcg10'] ?? 0,
    };
    const drift = holdoutDrift(atPublish, metrics, settings.driftBound);
    deps.metrics.driftAlert.set({ model: settings.model }, drift.alert ? 1 : 0);
    if (drift.alert)
      deps.logger.warn(
        { model: settings.model, version: record.version, atPublish, now: metrics },
        'live model drifted',
      );
    return { version: record.version, metrics, drift };
  } finally {
    loaded.model.dispose();
  }
}
