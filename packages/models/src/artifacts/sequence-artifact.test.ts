import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { PermanentError } from '@recstream/errors';
import { loadTensorFlow } from '../backend.js';
import { createRandom } from '../random.js';
import { trainSequenceModel } from '../sequence/train.js';
import { loadSequenceModel, saveSequenceModel, type SequenceArtifactManifest } from './sequence-artifact.js';

const tf = loadTensorFlow();

t.test('a saved model loads back with identical scores, manifest and checksums', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'recstream-artifact-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const random = createRandom(2);
  const numItems = 30;
  const train = Array.from({ length: 80 }, (_, user) => ({
    user,
    items: Int32Array.from({ length: 7 }, () => random.int(numItems)),
  }));
  const dataset = {
    itemAttributes: Array.from({ length: numItems }, (_, item) => Int32Array.of(item % 3, 3 + (item % 2))),
    numAttributes: 5,
  };
  const model = await trainSequenceModel({
    train,
    numItems,
    dataset,
    seed: 4,
    hyper: { maxLength: 6, hiddenDim: 8, blocks: 2, heads: 2, negatives: 8, maxEpochs: 2 },
  });
  t.teardown(() => model.dispose());
  model.itemTable.remove(29); // an evicted row must survive the round trip as a free row

  const dir = join(root, 'sasrec', 'v1');
  const itemIds = Array.from({ length: numItems }, (_, i) => `sku-${i}`);
  const manifest = await saveSequenceModel(model, {
    dir,
    version: 'v1',
    itemIds,
    dataWindow: { dataset: 'synthetic', users: 80, interactions: 560, description: 'all items' },
    metrics: { 'validation.ndcg@10': 0.5 },
    training: { ...model.training },
    createdAt: new Date('2026-01-01T00:00:00Z'),
  });
  t.equal(manifest.formatVersion, 1);
  t.equal(manifest.architecture.blocks, 2);
  t.equal(manifest.tables.items.live, numItems - 1);
  t.ok(manifest.files.every((file) => /^[0-9a-f]{64}$/.test(file.sha256)));
  const onDisk = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as SequenceArtifactManifest;
  t.same(onDisk, manifest, 'the manifest on disk is the one returned');

  const loaded = await loadSequenceModel(dir, tf);
  t.teardown(() => loaded.model.dispose());
  t.same(loaded.itemIds, itemIds);
  t.same(loaded.manifest.metrics, { 'validation.ndcg@10': 0.5 });
  const queries = [
    { user: 0, history: Int32Array.of(1, 2, 3) },
    { user: 1, history: Int32Array.of(29, 5) },
    { user: 2, history: Int32Array.from({ length: 12 }, (_, i) => i) },
  ];
  t.same(await loaded.model.scoreAll(queries), await model.scoreAll(queries), 'identical scores');
  t.same(
    loaded.model.itemTable.snapshot(),
    model.itemTable.snapshot(),
    'identical item table, optimizer state included',
  );

  await t.rejects(saveSequenceModel(model, { dir, version: 'v1', dataWindow: { dataset: 'x' } }), {
    message: /never overwritten/,
  });
});

t.test('a corrupted or foreign artifact is refused by name', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'recstream-artifact-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const model = await trainSequenceModel({
    train: [{ user: 0, items: Int32Array.of(0, 1, 2, 3) }],
    numItems: 4,
    seed: 1,
    hyper: { maxLength: 4, hiddenDim: 4, blocks: 1, negatives: 2, maxEpochs: 1 },
  });
  t.teardown(() => model.dispose());
  const dir = join(root, 'v1');
  await saveSequenceModel(model, { dir, version: 'v1', dataWindow: { dataset: 'tiny' } });

  const weights = join(dir, 'dense.bin');
  const bytes = await readFile(weights);
  bytes[0] = (bytes[0] ?? 0) ^ 0xff;
  await writeFile(weights, bytes);
  await t.rejects(loadSequenceModel(dir, tf), { message: /dense\.bin does not match its checksum/ });

  const manifestPath = join(dir, 'manifest.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as Record<string, unknown>;
  await writeFile(manifestPath, JSON.stringify({ ...manifest, formatVersion: 99 }));
  await t.rejects(loadSequenceModel(dir, tf), { message: /format version 99/ });
  await t.rejects(loadSequenceModel(join(root, 'missing'), tf), PermanentError);
});
