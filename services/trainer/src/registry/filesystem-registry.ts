/**
 * Model registry on a filesystem path: `<dir>/<model>/<version>/{artifact.json,manifest.json}`.
 * The manifest carries the artifact's SHA-256 so a corrupt or partial artifact is detected on load;
 * files are written to a temporary name and renamed, so readers never see half a version.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface ModelManifest {
  readonly model: string;
  readonly version: string;
  readonly createdAt: string;
  readonly sha256: string;
  readonly dataWindow: { readonly from: string; readonly to: string };
  readonly metrics: Readonly<Record<string, number>>;
  readonly hyperParameters: Readonly<Record<string, unknown>>;
}

export interface ModelRegistry {
  save(manifest: Omit<ModelManifest, 'sha256'>, artifact: unknown): Promise<ModelManifest>;
  load(model: string, version: string): Promise<{ manifest: ModelManifest; artifact: unknown }>;
}

async function writeAtomically(path: string, content: string): Promise<void> {
  const temporary = `${path}.tmp-${process.pid}`;
  await writeFile(temporary, content);
  await rename(temporary, path);
}

export function createFilesystemRegistry(root: string): ModelRegistry {
  return {
    async save(partial, artifact) {
      const dir = join(root, partial.model, partial.version);
      await mkdir(dir, { recursive: true });
      const body = JSON.stringify(artifact);
      const manifest: ModelManifest = { ...partial, sha256: createHash('sha256').update(body).digest('hex') };
      await writeAtomically(join(dir, 'artifact.json'), body);
      await writeAtomically(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
      return manifest;
    },
    async load(model, version) {
      const dir = join(root, model, version);
      const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as ModelManifest;
      const body = await readFile(join(dir, 'artifact.json'), 'utf8');
      if (createHash('sha256').update(body).digest('hex') !== manifest.sha256) {
        throw new Error(`artifact of ${model}/${version} does not match its checksum`);
      }
      return { manifest, artifact: JSON.parse(body) as unknown };
    },
  };
}
