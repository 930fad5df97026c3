/**
 * Publishing a saved version on request: through the guardrail (on the newest events it has not
 * learned, against the live version), or forced — a manual promotion, recorded as such.
 */
import { evaluateHoldout, type HoldoutCase } from '../learning/holdout.js';
import { ItemIndex } from '@recstream/models';
import { publishVersion } from '../registry/model-operations.js';
import { casesBeyond } from './holdout-window.js';
import { judgeAndAct } from './guarded-publish.js';
import type { SequenceJobDeps, SequenceSettings } from './sequence-settings.js';

export async function runPublish(
  deps: SequenceJobDeps,
  settings: SequenceSettings,
  request: { version: string; force: boolean; reason?: string | undefined },
): Promise<{ action: string; reason: string }> {
  if (request.force) {
    const reason = request.reason ?? 'manual promotion';
    await publishVersion(deps, settings.model, request.version, { action: 'promote', reason });
    return { action: 'promote', reason };
  }
  const loaded = await deps.registry.loadSequenceModel(settings.model, request.version, deps.tf);
  try {
    const maxLength = loaded.model.hyper.maxLength;
    const cases = await casesBeyond(deps, settings, loaded.record.watermark, maxLength);
    const index = new ItemIndex(loaded.itemIds ?? []);
    const score = (on: readonly HoldoutCase[]) => evaluateHoldout(loaded.model, index, on);
    const { verdict } = await judgeAndAct(
      deps,
      settings,
      loaded.record,
      { cases, metrics: await score(cases) },
      score,
      maxLength,
    );
    return verdict;
  } finally {
    loaded.model.dispose();
  }
}
