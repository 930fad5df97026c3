/**
 * Where everything sits in a registry on a filesystem path:
 *
 *   <root>/<model>/<version>/manifest.json   the version manifest (VersionManifest)
 *   <root>/<model>/<version>/artifact/…      a sequence model (its own manifest lists each file's SHA-256)
 *   <root>/<model>/<version>/artifact.json   or a JSON artifact (the popularity baseline)
 *   <root>/_registry/<model>.json            status, live and pinned version (RegistryState)
 *
 * Every name is checked against its pattern before it becomes part of a path.
 */
import { join } from 'node:path';
import { ERROR_CODES, PermanentError } from '@recstream/errors';
import { MODEL_NAME_PATTERN, VERSION_NAME_PATTERN, type ArtifactFormat } from '@recstream/schemas';

export const MANIFEST_FILE = 'manifest.json';
export const ARTIFACT_DIR = 'artifact';
export const JSON_ARTIFACT_FILE = 'artifact.json';
/** Holds the per-model state; cannot clash with a model, whose name starts with a letter. */
export const STATE_DIR = '_registry';
/** What an artifact's manifest may name (as the artifact writer allows): a plain file, no path. */
export const ARTIFACT_FILE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function invalid(message: string, cause?: unknown): PermanentError {
  return new PermanentError(
    ERROR_CODES.invalidInput,
    `model registry: ${message}`,
    cause === undefined ? {} : { cause },
  );
}

export function checkModelName(model: string): string {
  if (!MODEL_NAME_PATTERN.test(model))
    throw invalid(`model name ${JSON.stringify(model)} must match ${MODEL_NAME_PATTERN.source}`);
  return model;
}

export function checkVersionName(version: string): string {
  if (!VERSION_NAME_PATTERN.test(version))
    throw invalid(`version ${JSON.stringify(version)} must match ${VERSION_NAME_PATTERN.source}`);
  return version;
}

/** Whether a directory entry under a model is a version (staging directories start with a dot). */
export function isVersionEntry(entry: string): boolean {
  return !entry.startsWith('.') && VERSION_NAME_PATTERN.test(entry);
}

/** Whether a directory entry under the root is a model. */
export function isModelEntry(entry: string): boolean {
  return MODEL_NAME_PATTERN.test(entry);
}

export function modelDir(root: string, model: string): string {
  return join(root, checkModelName(model));
}

export function versionDir(root: string, model: string, version: string): string {
  return join(root, checkModelName(model), checkVersionName(version));
}

export function manifestPath(root: string, model: string, version: string): string {
  return join(versionDir(root, model, version), MANIFEST_FILE);
}

export function statePath(root: string, model: string): string {
  return join(root, STATE_DIR, `${checkModelName(model)}.json`);
}

/** The artifact's entry file, relative to its version directory: the file the manifest checksums. */
export function artifactEntry(format: ArtifactFormat): string {
  return format === 'json' ? JSON_ARTIFACT_FILE : join(ARTIFACT_DIR, MANIFEST_FILE);
}

/** A hidden directory beside the versions where a new version is assembled before its rename. */
export function stagingDir(root: string, model: string, version: string, unique: string): string {
  return join(modelDir(root, model), `.${checkVersionName(version)}.staging-${unique}`);
}
