/**
 * Reading the registry's files, for both sides: every manifest and state file is validated against
 * its contract in @recstream/schemas before any field of it is used, and a failure names the file.
 */
import { readFile } from 'node:fs/promises';
import type { TSchema } from 'typebox';
import Value from 'typebox/value';
import { ERROR_CODES, TransientError } from '@recstream/errors';
import {
  MODEL_NAME_PATTERN,
  ModelPublished,
  RegistryState,
  VERSION_NAME_PATTERN,
  VersionManifest,
  type VersionRecord,
  type VersionStatus,
} from '@recstream/schemas';
import { invalid, manifestPath, statePath, versionDir } from './layout.js';

export type { RegistryState, VersionManifest, VersionRecord, VersionStatus } from '@recstream/schemas';

export const EMPTY_STATE: RegistryState = { live: null, pinned: null, statuses: {}, liveHistory: [] };

function firstProblem(schema: TSchema, value: unknown): string {
  const [error] = Value.Errors(schema, value);
  return error === undefined ? 'invalid' : `${error.instancePath || '/'} ${error.message}`;
}

/** A version manifest read from `where`, or a PermanentError naming the first problem. */
export function parseVersionManifest(value: unknown, where: string): VersionManifest {
  if (!Value.Check(VersionManifest, value))
    throw invalid(`${where} is not a version manifest: ${firstProblem(VersionManifest, value)}`);
  return value;
}

export async function readVersionManifest(
  root: string,
  model: string,
  version: string,
): Promise<VersionManifest> {
  const path = manifestPath(root, model, version);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw invalid(`no version ${model}/${version} (${path} cannot be read)`, error);
  }
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (error) {
    throw invalid(`${path} is not valid JSON`, error);
  }
  const manifest = parseVersionManifest(value, path);
  if (manifest.model !== model || manifest.version !== version)
    throw invalid(`${path} describes ${manifest.model}/${manifest.version}, not ${model}/${version}`);
  return manifest;
}

export function statusOf(state: RegistryState, version: string): VersionStatus {
  return state.statuses[version] ?? 'candidate';
}

/** The model's state; the empty state when nothing was ever published. */
export async function readRegistryState(root: string, model: string): Promise<RegistryState> {
  const path = statePath(root, model);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY_STATE;
    throw new TransientError(ERROR_CODES.unavailable, `model registry: state ${path} cannot be read`, {
      cause: error,
    });
  }
  let value: unknown;
  try {
    value = { ...EMPTY_STATE, ...(JSON.parse(text) as object) };
  } catch (error) {
    throw invalid(`registry state ${path} is not JSON`, error);
  }
  if (!Value.Check(RegistryState, value))
    throw invalid(`registry state ${path} is malformed: ${firstProblem(RegistryState, value)}`);
  return value;
}

/** A version as the registry reports it. */
export function recordOf(root: string, manifest: VersionManifest, state: RegistryState): VersionRecord {
  return {
    ...manifest,
    status: statusOf(state, manifest.version),
    pinned: state.pinned === manifest.version,
    path: versionDir(root, manifest.model, manifest.version),
  };
}

/** The announcement of a live version, as the models topic carries it (key: the model). */
export function publishedMessage(record: VersionRecord, now = new Date()): { key: string; value: string } {
  const message: ModelPublished = { ...record, publishedAt: now.toISOString() };
  return { key: record.model, value: JSON.stringify(message) };
}

/** An announcement read from the models topic, or why it cannot be used. */
export function parseModelPublished(value: Buffer | null): { message: ModelPublished } | { problem: string } {
  if (value === null) return { problem: 'tombstone' };
  let record: unknown;
  try {
    record = JSON.parse(value.toString('utf8')) as unknown;
  } catch {
    return { problem: 'not JSON' };
  }
  // The names first: they become paths on the reader's side.
  const { model, version } = (record ?? {}) as { model?: unknown; version?: unknown };
  if (typeof model !== 'string' || !MODEL_NAME_PATTERN.test(model)) return { problem: 'no valid model name' };
  if (typeof version !== 'string' || !VERSION_NAME_PATTERN.test(version))
    return { problem: 'no valid version name' };
  if (Value.Check(ModelPublished, record)) return { message: record };
  return { problem: `not a model announcement: ${firstProblem(ModelPublished, record)}` };
}
