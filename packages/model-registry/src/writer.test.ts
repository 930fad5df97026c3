import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { loadTensorFlow, resolveSequenceHyperParameters, SequenceRecommender } from '@recstream/models';
import { createModelRegistry, type NewVersion } from './writer.js';

const tf = loadTensorFlow();
const hyper = resolveSequenceHyperParameters({ maxLength: 4, hiddenDim: 4, blocks: 1, negatives: 2 });

function version(name: string, minute: number, parent: string | null = null): NewVersion {
  return {
    model: 'sasrec',
    version: name,
    kind: parent === null ? 'full' : 'incremental',
    parent,
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString(),
    dataWindow: { from: null, to: null, events: minute },
    watermark: { '0': minute },
    metrics: { 'holdout.hr10': 0.5 },
    hyperParameters: {},
  };
}

async function setup(t: { teardown(fn: () => unknown): void }) {
  const root = await mkdtemp(join(tmpdir(), 'recstream-registry-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const model = SequenceRecommender.create(tf, hyper, { numItems: 3 }, 1);
  t.teardown(() => model.dispose());
  const registry = createModelRegistry(root);
  const save = (name: string, minute: number, parent: string | null = null) =>
    registry.saveSequenceModel(version(name, minute, parent), model, ['a', 'b', 'c']);
  return { root, registry, save, model };
}

t.test('a saved version loads back verified, with its watermark and lineage', async (t) => {
  const { registry, save, model } = await setup(t);
  const saved = await save('v1', 1);
  t.equal(saved.status, 'candidate');
  t.equal(saved.artifact.format, 'sequence-model');
  const loaded = await registry.loadSequenceModel('sasrec', 'v1', tf);
  t.teardown(() => loaded.model.dispose());
  t.same(loaded.itemIds, ['a', 'b', 'c']);
  t.same(loaded.record.watermark, { '0': 1 });
  const query = [{ user: 0, history: Int32Array.of(0, 1) }];
  t.same(await loaded.model.scoreAll(query), await model.scoreAll(query), 'the same model');
  await t.rejects(save('v1', 2), /never overwritten/);
  await t.rejects(registry.get('sasrec', 'nope'), /no version sasrec\/nope/);
  await t.rejects(registry.get('../x', 'v1'), /model name/);
});

t.test('a corrupt or partial artifact is refused by checksum and never goes live', async (t) => {
  const { registry, save } = await setup(t);
  const good = await save('v1', 1);
  await registry.setLive('sasrec', 'v1');
  const bad = await save('v2', 2, 'v1');

  const weights = join(bad.path, 'artifact', 'dense.bin');
  const bytes = await readFile(weights);
  bytes[0] = (bytes[0] ?? 0) ^ 0xff;
  await writeFile(weights, bytes);
  await t.rejects(
    registry.verify('sasrec', 'v2'),
    /sasrec\/v2 is corrupt or partial: artifact\/dense\.bin does not match/,
  );
  await t.rejects(registry.setLive('sasrec', 'v2'), /corrupt/);
  await t.rejects(registry.loadSequenceModel('sasrec', 'v2', tf), /corrupt/);
  t.equal((await registry.live('sasrec'))?.version, 'v1', 'the live version is unchanged');

  await unlink(join(good.path, 'artifact', 'items.weights.bin'));
  await t.rejects(registry.verify('sasrec', 'v1'), /artifact\/items\.weights\.bin is missing/);
  await writeFile(join(good.path, 'artifact', 'manifest.json'), '{}');
  await t.rejects(registry.verify('sasrec', 'v1'), /artifact\/manifest\.json does not match its checksum/);
});

t.test('a tampered manifest cannot make verify read outside the artifact', async (t) => {
  const { registry, save } = await setup(t);
  const saved = await save('v1', 1);
  const artifactManifest = join(saved.path, 'artifact', 'manifest.json');
  const manifest = JSON.parse(await readFile(artifactManifest, 'utf8')) as { files: { name: string }[] };
  const first = manifest.files[0];
  if (first !== undefined) first.name = '../../../../../../etc/hostname';
  const tampered = JSON.stringify(manifest);
  await writeFile(artifactManifest, tampered);
  // Re-checksummed, as whoever can write the registry volume could.
  const versionManifest = join(saved.path, 'manifest.json');
  const version = JSON.parse(await readFile(versionManifest, 'utf8')) as { artifact: { sha256: string } };
  version.artifact.sha256 = createHash('sha256').update(tampered).digest('hex');
  await writeFile(versionManifest, JSON.stringify(version));
  await t.rejects(registry.verify('sasrec', 'v1'), /names a file .* that is not allowed/);
});

t.test('a half-written version is invisible', async (t) => {
  const { root, registry, save } = await setup(t);
  await save('v1', 1);
  // What a crash mid-save leaves: a staging directory, never renamed into place.
  await writeFile(join(root, 'sasrec', '.v2.staging-1-1'), 'partial');
  t.same(
    (await registry.list('sasrec')).map((v) => v.version),
    ['v1'],
  );
  t.equal((await registry.head('sasrec'))?.version, 'v1');
  t.ok((await readdir(join(root, 'sasrec'))).includes('.v2.staging-1-1'));
});

t.test('statuses, pinning and rollback', async (t) => {
  const { registry, save } = await setup(t);
  await save('v1', 1);
  await save('v2', 2, 'v1');
  await save('v3', 3, 'v2');
  await registry.setLive('sasrec', 'v1');
  await registry.setLive('sasrec', 'v2');
  await registry.setStatus('sasrec', 'v3', 'rejected');
  t.same(
    (await registry.list('sasrec')).map((v) => `${v.version}:${v.status}`),
    ['v1:retired', 'v2:live', 'v3:rejected'],
  );
  t.equal((await registry.head('sasrec'))?.version, 'v3', 'training continues from a rejected update');
  await t.rejects(registry.pin('sasrec', 'v3'), /only the live version can be pinned/);
  t.equal((await registry.pin('sasrec', 'v2')).pinned, true);
  await t.rejects(registry.setStatus('sasrec', 'v2', 'rejected'), /is live/);

  const result = await registry.rollback('sasrec');
  t.equal(result.from.version, 'v2');
  t.equal(result.to.version, 'v1', 'back to the version live before');
  t.same(result.withdrawn, ['v2', 'v3']);
  t.same(
    (await registry.list('sasrec')).map((v) => `${v.version}:${v.status}:${v.pinned}`),
    ['v1:live:false', 'v2:rolled-back:false', 'v3:rolled-back:false'],
    'the pin went with the withdrawn version',
  );
  t.equal((await registry.head('sasrec'))?.version, 'v1', 'training continues from the rollback target');
  await t.rejects(registry.rollback('sasrec'), /no earlier live version/);
  t.equal(await registry.unpin('sasrec'), null);
});

t.test('a version learned from a parent rolled back meanwhile is refused', async (t) => {
  const { registry, save } = await setup(t);
  await save('v1', 1);
  await registry.setLive('sasrec', 'v1');
  await save('v2', 2, 'v1');
  await registry.setLive('sasrec', 'v2');
  await registry.rollback('sasrec'); // v2 withdrawn while an update was learning from it
  await t.rejects(save('v3', 3, 'v2'), /sasrec\/v2 was rolled back while v3 learned from it/);
  t.same(
    (await registry.list('sasrec')).map((v) => v.version),
    ['v1', 'v2'],
    'nothing half-saved',
  );
});

t.test(
  'pruning keeps the newest versions, the live, pinned and head ones and rollback targets',
  async (t) => {
    const { registry, save } = await setup(t);
    for (let i = 1; i <= 8; i += 1) await save(`v${i}`, i, i === 1 ? null : `v${i - 1}`);
    await registry.setLive('sasrec', 'v2');
    await registry.setLive('sasrec', 'v3');
    await registry.pin('sasrec', 'v3');
    t.same(await registry.prune('sasrec', 2), ['v1', 'v4', 'v5', 'v6']);
    t.same(
      (await registry.list('sasrec')).map((v) => v.version),
      ['v2', 'v3', 'v7', 'v8'],
    );
    t.equal((await registry.rollback('sasrec')).to.version, 'v2', 'the rollback target survived');
    await t.rejects(registry.prune('sasrec', 0), /keep must be a positive integer/);
  },
);

t.test('a rejected full training is not trained on', async (t) => {
  const { registry, save } = await setup(t);
  await save('v1', 1);
  await registry.setLive('sasrec', 'v1');
  await save('v2', 2); // a full training (no parent)
  await registry.setStatus('sasrec', 'v2', 'rejected');
  t.equal((await registry.head('sasrec'))?.version, 'v1');
});
