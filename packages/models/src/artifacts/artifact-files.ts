/**
 * A model artifact directory: named files plus `manifest.json` listing each file's size and
 * SHA-256. Written into a temporary sibling directory and renamed into place, so a reader never
 * sees a half-written version; read back with every checksum verified before any byte is used.
 */
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ERROR_CODES, PermanentError } from '@recstream/errors';
import { sha256 } from './binary.js';

export const MANIFEST_FILE = 'manifest.json';

export interface ArtifactFileEntry {
  readonly name: string;
  readonly bytes: number;
  readonly sha256: string;
}

function invalid(message: string, cause?: unknown): PermanentError {
  return new PermanentError(
    ERROR_CODES.invalidInput,
    `model artifact: ${message}`,
    cause === undefined ? {} : { cause },
  );
}

/** Whether a manifest's `files` is a well-formed list of file entries. */
export function isFileList(files: unknown): files is ArtifactFileEntry[] {
  return (
    Array.isArray(files) &&
    files.every(
      (f: unknown) =>
        typeof f === 'object' &&
        f !== null &&
        typeof (f as Record<string, unknown>)['name'] === 'string' &&
        typeof (f as Record<string, unknown>)['sha256'] === 'string' &&
        typeof (f as Record<string, unknown>)['bytes'] === 'number',
    )
  );
}

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Writes `files` and a manifest (built by `manifestOf` from the file entries) to `dir`, which must
 * not exist yet: versions are immutable.
 */
export async function writeArtifact<M>(
  dir: string,
  files: ReadonlyMap<string, Uint8Array>,
  manifestOf: (entries: ArtifactFileEntry[]) => M,
): Promise<M> {
  if (await exists(dir)) throw invalid(`${dir} already exists; a saved version is never overwritten`);
  const entries: ArtifactFileEntry[] = [];
  for (const [name, bytes] of files) {
    if (!SAFE_NAME.test(name) || name === MANIFEST_FILE)
      throw invalid(`file name ${JSON.stringify(name)} is not allowed`);
    entries.push({ name, bytes: bytes.byteLength, sha256: sha256(bytes) });
  }
  const manifest = manifestOf(entries);
  const staging = join(dirname(dir), `.${basename(dir)}.tmp-${process.pid}-${Date.now()}`);
  await mkdir(staging, { recursive: true });
  try {
    for (const [name, bytes] of files) await writeFile(join(staging, name), bytes);
    await writeFile(join(staging, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    await rename(staging, dir);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  return manifest;
}

/** The parsed manifest of `dir` (not yet validated: the caller checks its shape). */
export async function readManifest(dir: string): Promise<unknown> {
  const path = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw invalid(`cannot read ${path}`, error);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw invalid(`${path} is not valid JSON`, error);
  }
}

/** Reads one listed file and checks its size and checksum. */
export async function readArtifactFile(
  dir: string,
  entries: readonly ArtifactFileEntry[],
  name: string,
): Promise<Buffer> {
  const entry = entries.find((candidate) => candidate.name === name);
  if (entry === undefined) throw invalid(`the manifest in ${dir} lists no file ${name}`);
  let bytes: Buffer;
  try {
    bytes = await readFile(join(dir, name));
  } catch (error) {
    throw invalid(`cannot read ${join(dir, name)}`, error);
  }
  if (bytes.byteLength !== entry.bytes || sha256(bytes) !== entry.sha256) {
    throw invalid(`${join(dir, name)} does not match its checksum in the manifest (corrupt or modified)`);
  }
  return bytes;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
