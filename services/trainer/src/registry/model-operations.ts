/**
 * What changes which version serves, shared by the jobs and the CLI so both leave the same trail:
 * the registry state changes first (the source of truth), then the ClickHouse mirror gets the
 * affected versions and the decision, then the models topic announces the live version (serving
 * loads it). A failure after the state change is retried by the caller; every step after it is
 * idempotent (mirror rows are replaced by revision, the topic is compacted by model).
 */
import type { ModelRegistry, VersionRecord } from '@recstream/model-registry';
import type { Decision, RegistryMirror } from './registry-mirror.js';

export interface ModelOperationsDeps {
  readonly registry: ModelRegistry;
  readonly mirror: RegistryMirror;
  /** Emits the live version on the models topic. */
  readonly announce: (record: VersionRecord) => Promise<void>;
}

type DecisionNumbers = Omit<Decision, 'model' | 'version' | 'liveVersion' | 'action' | 'reason'>;

const NO_NUMBERS: DecisionNumbers = { holdoutCases: 0, tolerance: 0 };

async function mirrorChanged(
  deps: ModelOperationsDeps,
  model: string,
  versions: readonly string[],
): Promise<void> {
  const records = await Promise.all([...new Set(versions)].map((v) => deps.registry.get(model, v)));
  await deps.mirror.versions(records);
}

/** Makes `version` live (guardrail verdict `publish`, or a manual `promote`). */
export async function publishVersion(
  deps: ModelOperationsDeps,
  model: string,
  version: string,
  decision: { action: 'publish' | 'promote'; reason: string } & Partial<DecisionNumbers>,
): Promise<VersionRecord> {
  const before = await deps.registry.live(model);
  const record = await deps.registry.setLive(model, version); // verifies the artifact first
  await mirrorChanged(deps, model, before === undefined ? [version] : [before.version, version]);
  await deps.mirror.decision({
    ...NO_NUMBERS,
    ...decision,
    model,
    version,
    liveVersion: before?.version ?? null,
  });
  await deps.announce(record);
  return record;
}

/** Records a guardrail verdict that keeps the live version (`reject` marks the candidate). */
export async function keepLive(
  deps: ModelOperationsDeps,
  model: string,
  version: string,
  decision: { action: 'reject' | 'hold'; reason: string } & DecisionNumbers,
): Promise<VersionRecord> {
  const live = await deps.registry.live(model);
  const record =
    decision.action === 'reject'
      ? await deps.registry.setStatus(model, version, 'rejected')
      : await deps.registry.get(model, version);
  await deps.mirror.versions([record]);
  await deps.mirror.decision({ ...decision, model, version, liveVersion: live?.version ?? null });
  return record;
}

export async function rollbackModel(
  deps: ModelOperationsDeps,
  model: string,
  to: string | undefined,
  reason: string,
): Promise<{ from: VersionRecord; to: VersionRecord; withdrawn: string[] }> {
  const result = await deps.registry.rollback(model, to);
  await mirrorChanged(deps, model, [result.from.version, result.to.version, ...result.withdrawn]);
  await deps.mirror.decision({
    ...NO_NUMBERS,
    model,
    version: result.to.version,
    liveVersion: result.from.version,
    action: 'rollback',
    reason: `${reason}; withdrawn: ${result.withdrawn.join(', ') || 'none'}`,
  });
  await deps.announce(result.to);
  return result;
}

export async function pinVersion(
  deps: ModelOperationsDeps,
  model: string,
  version: string,
): Promise<VersionRecord> {
  const record = await deps.registry.pin(model, version);
  await deps.mirror.versions([record]);
  await deps.mirror.decision({
    ...NO_NUMBERS,
    model,
    version,
    liveVersion: version,
    action: 'pin',
    reason: 'automatic publishing held',
  });
  return record;
}

export async function unpinModel(deps: ModelOperationsDeps, model: string): Promise<string | null> {
  const was = await deps.registry.unpin(model);
  if (was !== null) {
    await mirrorChanged(deps, model, [was]);
    await deps.mirror.decision({
      ...NO_NUMBERS,
      model,
      version: was,
      liveVersion: (await deps.registry.live(model))?.version ?? null,
      action: 'unpin',
      reason: 'automatic publishing resumed',
    });
  }
  return was;
}
