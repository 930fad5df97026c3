import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { PermanentError } from '@recstream/errors';
import { createRandom, loadTensorFlow } from '@recstream/models';
import { RANKING_FEATURE_COUNT } from '../ranking/features.js';
import { trainRanker } from '../ranking/ranker-model.js';
import { loadRanker, saveRanker, type RankerArtifactManifest } from './ranker-artifact.js';

const tf = loadTensorFlow();

/** Lists of 5 candidates over the real feature width; the positive has the largest first feature. */
function groups(count: number, seed: number) {
  const random = createRandom(seed);
  const size = 5;
  const width = RANKING_FEATURE_COUNT;
  const features = Float32Array.from({ length: count * size * width }, () => random.normal());
  const labels = new Float32Array(count * size);
  for (let group = 0; group < count; group += 1) {
    let best = 0;
    for (let row = 1; row < size; row += 1)
      if ((features[(group * size + row) * width] ?? 0) > (features[(group * size + best) * width] ?? 0))
        best = row;
    labels[group * size + best] = 1;
  }
  return { size, width, features, labels };
}

function trainedRanker() {
  return trainRanker({ tf, train: groups(120, 1), seed: 7, hyper: { hidden: [8, 4], maxEpochs: 3 } });
}

t.test('a saved ranker loads back with identical scores and a complete manifest', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'recstream-ranker-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const model = trainedRanker();
  t.teardown(() => model.dispose());
  const dir = join(root, 'ranker', 'v1');
  const manifest = await saveRanker(model, {
    dir,
    version: 'v1',
    dataWindow: { dataset: 'synthetic', description: 'validation lists' },
    metrics: { 'validation.ndcg@10': model.training.validation.ndcg10 },
    training: { ...model.training },
    createdAt: new Date('2026-01-01T00:00:00Z'),
  });
  t.equal(manifest.featureSchema.version, 'r1');
  t.equal(manifest.featureSchema.features.length, RANKING_FEATURE_COUNT);
  t.same(manifest.architecture.layers, [
    { inputs: RANKING_FEATURE_COUNT, units: 8 },
    { inputs: 8, units: 4 },
    { inputs: 4, units: 1 },
  ]);
  t.same(manifest.hyperParameters.hidden, [8, 4]);
  t.ok(manifest.files.every((file) => /^[0-9a-f]{64}$/.test(file.sha256)));
  const onDisk = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as RankerArtifactManifest;
  t.same(onDisk, manifest, 'the manifest on disk is the one returned');

  const loaded = await loadRanker(dir, tf);
  t.teardown(() => loaded.model.dispose());
  const probe = groups(10, 2).features;
  t.same(loaded.model.score(probe), model.score(probe), 'identical scores (normalisation included)');
  t.same(loaded.manifest.metrics, manifest.metrics);
  await t.rejects(saveRanker(model, { dir, version: 'v1', dataWindow: { dataset: 'x' } }), {
    message: /never overwritten/,
  });
});

t.test('a corrupted, foreign or stale-schema artifact is refused by name', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'recstream-ranker-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const model = trainedRanker();
  t.teardown(() => model.dispose());
  const dir = join(root, 'v1');
  await saveRanker(model, { dir, version: 'v1', dataWindow: { dataset: 'tiny' } });
  const manifestPath = join(dir, 'manifest.json');
  const original = await readFile(manifestPath, 'utf8');
  const manifest = JSON.parse(original) as Record<string, unknown>;

  const weights = join(dir, 'weights.bin');
  const bytes = await readFile(weights);
  bytes[3] = (bytes[3] ?? 0) ^ 0x01;
  await writeFile(weights, bytes);
  await t.rejects(loadRanker(dir, tf), { message: /weights\.bin does not match its checksum/ });
  bytes[3] = (bytes[3] ?? 0) ^ 0x01;
  await writeFile(weights, bytes);
  const restored = await loadRanker(dir, tf);
  restored.model.dispose();
  t.pass('the repaired file loads again');

  await writeFile(
    manifestPath,
    JSON.stringify({ ...manifest, featureSchema: { version: 'r0', features: [] } }),
  );
  await t.rejects(loadRanker(dir, tf), { message: /feature schema r0; this code computes r1/ });
  await writeFile(manifestPath, JSON.stringify({ ...manifest, formatVersion: 99 }));
  await t.rejects(loadRanker(dir, tf), { message: /format version 99/ });
  await writeFile(manifestPath, JSON.stringify({ ...manifest, format: 'recstream.sequence-model' }));
  await t.rejects(loadRanker(dir, tf), { message: /does not hold a ranker artifact/ });
  await t.rejects(loadRanker(join(root, 'missing'), tf), PermanentError);
});
