/**
 * The registry as the trainer writes it (layout.ts has the paths). A version is assembled in a
 * hidden staging directory and renamed into place, so it exists completely or not at all: a crash
 * while saving leaves no version (and so no watermark). Every load, and every publish, verifies the
 * checksums first; a corrupt or partial artifact is refused with an error that names the file.
 */
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  loadSequenceModel,
  saveSequenceModel,
  type LoadedSequenceModel,
  type SequenceRecommender,
  type TensorFlow,
} from '@recstream/models';
import type { RegistryState, VersionManifest, VersionRecord, VersionStatus } from '@recstream/schemas';
import {
  ARTIFACT_DIR,
  JSON_ARTIFACT_FILE,
  MANIFEST_FILE,
  checkModelName,
  invalid,
  isModelEntry,
  isVersionEntry,
  modelDir,
  stagingDir,
  versionDir,
} from './layout.js';
import {
  parseVersionManifest,
  readRegistryState,
  readVersionManifest,
  recordOf,
  statusOf,
} from './manifest.js';
import { updateState, withStateLock, writeState } from './state.js';
import { sha256, verifyArtifact } from './verify.js';

/** Previously live versions kept by `prune` whatever their age, as rollback targets. */
const ROLLBACK_TARGETS = 3;

/** A sortable, unique version name: UTC time to the millisecond plus a random suffix. */
export function newVersionName(now: Date, random: string): string {
  return `${now.toISOString().replace(/[-:.]/g, '')}-${random}`;
}

export type NewVersion = Omit<VersionManifest, 'artifact'>;

export interface ModelRegistry {
  readonly root: string;
  saveSequenceModel(
    manifest: NewVersion,
    model: SequenceRecommender,
    itemIds: readonly string[],
  ): Promise<VersionRecord>;
  saveJson(manifest: NewVersion, artifact: unknown): Promise<VersionRecord>;
  /** Loads and verifies a sequence model version. */
  loadSequenceModel(
    model: string,
    version: string,
    tf?: TensorFlow,
  ): Promise<LoadedSequenceModel & { record: VersionRecord }>;
  loadJson(model: string, version: string): Promise<{ record: VersionRecord; artifact: unknown }>;
  /** Re-reads every byte of the version's artifact against its checksums. */
  verify(model: string, version: string): Promise<VersionRecord>;
  get(model: string, version: string): Promise<VersionRecord>;
  /** All versions of a model, oldest first. */
  list(model: string): Promise<VersionRecord[]>;
  models(): Promise<string[]>;
  live(model: string): Promise<VersionRecord | undefined>;
  /** The version training continues from: the newest one not rolled back (nor a rejected full training). */
  head(model: string): Promise<VersionRecord | undefined>;
  state(model: string): Promise<RegistryState>;
  /** Makes `version` live (the previous live one is retired). Refused for a corrupt artifact. */
  setLive(model: string, version: string): Promise<VersionRecord>;
  setStatus(
    model: string,
    version: string,
    status: Exclude<VersionStatus, 'live' | 'retired'>,
  ): Promise<VersionRecord>;
  pin(model: string, version: string): Promise<VersionRecord>;
  unpin(model: string): Promise<string | null>;
  /**
   * Withdraws the live version: `to` (default: the version live before it) goes live again, and
   * every version newer than `to` is marked rolled-back, so training continues from `to`.
   */
  rollback(
    model: string,
    to?: string,
  ): Promise<{ from: VersionRecord; to: VersionRecord; withdrawn: string[] }>;
  /**
   * Deletes old versions, keeping the newest `keep`, the live, pinned and head versions and the
   * last few live ones (rollback targets). Returns the versions deleted.
   */
  prune(model: string, keep: number): Promise<string[]>;
}

/**
 * Whether training may continue from a version. Not from one rolled back; not from a full training
 * the guardrail rejected either (it would abandon the better lineage). A rejected incremental
 * version stays eligible: its successor learns new events on top of it and is judged again, so a
 * single bad verdict cannot stall learning on the same batch forever.
 */
function canContinue(version: VersionRecord): boolean {
  return version.status !== 'rolled-back' && !(version.status === 'rejected' && version.kind === 'full');
}

export function createModelRegistry(root: string): ModelRegistry {
  const readState = (model: string): Promise<RegistryState> => readRegistryState(root, model);

  async function get(model: string, version: string): Promise<VersionRecord> {
    return recordOf(root, await readVersionManifest(root, model, version), await readState(model));
  }

  /** Stages `write` into a hidden directory, adds the manifest, renames into place. */
  async function assemble(
    partial: NewVersion,
    format: VersionManifest['artifact']['format'],
    write: (staging: string) => Promise<string>,
  ): Promise<VersionRecord> {
    // Checked as every reader will check it, before any byte is written: a manifest no reader
    // accepts is never saved.
    const checked = parseVersionManifest(
      { ...partial, artifact: { format, sha256: '0'.repeat(64) } },
      `the manifest of ${partial.model}/${partial.version}`,
    );
    const dir = versionDir(root, partial.model, partial.version);
    if (await exists(dir)) throw invalid(`${dir} already exists; a saved version is never overwritten`);
    const staging = stagingDir(root, partial.model, partial.version, `${process.pid}-${Date.now()}`);
    await mkdir(staging, { recursive: true });
    try {
      const manifest: VersionManifest = { ...checked, artifact: { format, sha256: await write(staging) } };
      await writeFile(join(staging, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
      // Under the state lock, so a rollback cannot withdraw the parent between check and rename.
      await withStateLock(root, partial.model, async () => {
        const state = await readState(partial.model);
        if (partial.parent !== null && statusOf(state, partial.parent) === 'rolled-back')
          throw invalid(
            `${partial.model}/${partial.parent} was rolled back while ${partial.version} learned from it; the next update starts from the new head`,
          );
        await rename(staging, dir);
      });
      return recordOf(root, manifest, await readState(partial.model));
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      throw error;
    }
  }

  async function verify(model: string, version: string): Promise<VersionRecord> {
    const record = await get(model, version);
    await verifyArtifact(record.path, record);
    return record;
  }

  async function list(model: string): Promise<VersionRecord[]> {
    const entries = await readdir(modelDir(root, model)).catch(() => [] as string[]);
    const state = await readState(model);
    const records: VersionRecord[] = [];
    for (const entry of entries) {
      if (!isVersionEntry(entry)) continue; // staging directories
      records.push(recordOf(root, await readVersionManifest(root, model, entry), state));
    }
    return records.sort(
      (a, b) => a.createdAt.localeCompare(b.createdAt) || a.version.localeCompare(b.version),
    );
  }

  return {
    root,
    saveSequenceModel: (partial, model, itemIds) =>
      assemble(partial, 'sequence-model', async (staging) => {
        await saveSequenceModel(model, {
          dir: join(staging, ARTIFACT_DIR),
          version: partial.version,
          itemIds,
          dataWindow: {
            dataset: 'clickhouse:events',
            interactions: partial.dataWindow.events,
            ...(partial.dataWindow.from === null ? {} : { from: partial.dataWindow.from }),
            ...(partial.dataWindow.to === null ? {} : { to: partial.dataWindow.to }),
          },
          metrics: Object.fromEntries(
            Object.entries(partial.metrics).filter((entry): entry is [string, number] => entry[1] !== null),
          ),
          createdAt: new Date(partial.createdAt),
        });
        return sha256(await readFile(join(staging, ARTIFACT_DIR, MANIFEST_FILE)));
      }),
    saveJson: (partial, artifact) =>
      assemble(partial, 'json', async (staging) => {
        const body = JSON.stringify(artifact);
        await writeFile(join(staging, JSON_ARTIFACT_FILE), body);
        return sha256(body);
      }),
    async loadSequenceModel(model, version, tf) {
      const record = await verify(model, version);
      if (record.artifact.format !== 'sequence-model')
        throw invalid(`${model}/${version} is not a sequence model`);
      const loaded = await loadSequenceModel(join(record.path, ARTIFACT_DIR), tf);
      return { ...loaded, record };
    },
    async loadJson(model, version) {
      const record = await verify(model, version);
      if (record.artifact.format !== 'json') throw invalid(`${model}/${version} is not a JSON artifact`);
      return {
        record,
        artifact: JSON.parse(await readFile(join(record.path, JSON_ARTIFACT_FILE), 'utf8')) as unknown,
      };
    },
    verify,
    get,
    list,
    async models() {
      const entries = await readdir(root).catch(() => [] as string[]);
      return entries.filter(isModelEntry).sort();
    },
    async live(model) {
      const state = await readState(model);
      return state.live === null ? undefined : get(model, state.live);
    },
    async head(model) {
      const versions = await list(model);
      return versions.filter(canContinue).at(-1);
    },
    state: (model) => readState(checkModelName(model)),
    async setLive(model, version) {
      await verify(model, version);
      await updateState(root, model, (state) => {
        const statuses = { ...state.statuses };
        if (state.live !== null && state.live !== version) statuses[state.live] = 'retired';
        statuses[version] = 'live';
        return {
          ...state,
          live: version,
          statuses,
          liveHistory: state.live === version ? state.liveHistory : [...state.liveHistory, version],
        };
      });
      return get(model, version);
    },
    async setStatus(model, version, status) {
      await readVersionManifest(root, model, version);
      await updateState(root, model, (state) => {
        if (state.live === version)
          throw invalid(`${model}/${version} is live; roll back or promote another first`);
        return { ...state, statuses: { ...state.statuses, [version]: status } };
      });
      return get(model, version);
    },
    async pin(model, version) {
      await readVersionManifest(root, model, version);
      await updateState(root, model, (state) => {
        if (state.live !== version)
          throw invalid(
            `only the live version can be pinned; ${model}/${version} is ${statusOf(state, version)}`,
          );
        return { ...state, pinned: version };
      });
      return get(model, version);
    },
    async unpin(model) {
      const before = await readState(checkModelName(model));
      await updateState(root, model, (state) => ({ ...state, pinned: null }));
      return before.pinned;
    },
    async rollback(model, to) {
      const before = await readState(checkModelName(model));
      const from = before.live;
      if (from === null) throw invalid(`${model} has no live version to roll back`);
      const target =
        to ?? [...before.liveHistory].reverse().find((v) => v !== from && statusOf(before, v) === 'retired');
      if (target === undefined) throw invalid(`${model} has no earlier live version to roll back to`);
      if (target === from) throw invalid(`${model}/${target} is already live`);
      const targetRecord = await verify(model, target); // a corrupt target never goes live
      let withdrawn: string[] = [];
      await updateState(root, model, async (state) => {
        if (state.live !== from) throw invalid(`${model} changed during the rollback; run it again`);
        // Listed under the lock: a version saved concurrently is either listed here or refused.
        withdrawn = (await list(model))
          .filter(
            (v) =>
              v.createdAt > targetRecord.createdAt ||
              (v.createdAt === targetRecord.createdAt && v.version > target),
          )
          .map((v) => v.version);
        const statuses = { ...state.statuses, [target]: 'live' as const };
        for (const v of withdrawn) statuses[v] = 'rolled-back';
        return {
          live: target,
          pinned: state.pinned === from ? null : state.pinned,
          statuses,
          liveHistory: [...state.liveHistory, target],
        };
      });
      return { from: await get(model, from), to: await get(model, target), withdrawn };
    },
    async prune(model, keep) {
      if (!Number.isInteger(keep) || keep < 1) throw invalid(`keep must be a positive integer, got ${keep}`);
      return withStateLock(root, checkModelName(model), async () => {
        const state = await readState(model);
        const versions = await list(model);
        const head = versions.filter(canContinue).at(-1)?.version;
        const protectedVersions = new Set([
          ...versions.slice(-keep).map((v) => v.version),
          // The last few live versions stay as rollback targets.
          ...state.liveHistory.slice(-ROLLBACK_TARGETS),
          ...[state.live, state.pinned, head].filter((v): v is string => v !== null && v !== undefined),
        ]);
        const removed: string[] = [];
        for (const v of versions) {
          if (protectedVersions.has(v.version)) continue;
          await rm(v.path, { recursive: true, force: true });
          removed.push(v.version);
        }
        if (removed.length > 0) {
          const statuses = { ...state.statuses };
          for (const v of removed) delete statuses[v];
          await writeState(root, model, {
            ...state,
            statuses,
            liveHistory: state.liveHistory.filter((v) => !removed.includes(v)),
          });
        }
        return removed;
      });
    },
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
