/**
 * Checksums: the version manifest holds the SHA-256 of the artifact's entry file; a sequence
 * model's entry (its own manifest) holds the SHA-256 of every other file. A corrupt or partial
 * artifact is refused with an error that names the file, before a byte of it is used.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PermanentError } from '@recstream/errors';
import type { VersionManifest } from '@recstream/schemas';
import { ARTIFACT_DIR, ARTIFACT_FILE_PATTERN, artifactEntry, invalid } from './layout.js';

export function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function corrupt(manifest: VersionManifest, what: string): PermanentError {
  return invalid(`artifact of ${manifest.model}/${manifest.version} is corrupt or partial: ${what}`);
}

/** Checks the artifact's entry file against the version manifest; returns its bytes. */
export async function verifyEntry(dir: string, manifest: VersionManifest): Promise<Buffer> {
  const entry = artifactEntry(manifest.artifact.format);
  const bytes = await readFile(join(dir, entry)).catch(() => undefined);
  if (bytes === undefined) throw corrupt(manifest, `${entry} is missing`);
  if (sha256(bytes) !== manifest.artifact.sha256)
    throw corrupt(manifest, `${entry} does not match its checksum`);
  return bytes;
}

/** Re-reads every byte of the version's artifact against its checksums. */
export async function verifyArtifact(dir: string, manifest: VersionManifest): Promise<void> {
  const bytes = await verifyEntry(dir, manifest);
  if (manifest.artifact.format !== 'sequence-model') return;
  let files: unknown;
  try {
    files = (JSON.parse(bytes.toString('utf8')) as { files?: unknown }).files ?? [];
  } catch {
    throw corrupt(manifest, `${artifactEntry(manifest.artifact.format)} is not JSON`);
  }
  if (!Array.isArray(files)) throw corrupt(manifest, 'the artifact manifest lists no files');
  for (const file of files as unknown[]) {
    const { name, sha256: expected } = (file ?? {}) as { name?: unknown; sha256?: unknown };
    // A tampered manifest must not make verify read outside the artifact directory.
    if (typeof name !== 'string' || !ARTIFACT_FILE_PATTERN.test(name))
      throw corrupt(manifest, `the manifest names a file ${JSON.stringify(name)} that is not allowed`);
    const content = await readFile(join(dir, ARTIFACT_DIR, name)).catch(() => undefined);
    if (content === undefined) throw corrupt(manifest, `${ARTIFACT_DIR}/${name} is missing`);
    if (sha256(content) !== expected)
      throw corrupt(manifest, `${ARTIFACT_DIR}/${name} does not match its checksum`);
  }
}
