import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { PermanentError } from '@recstream/errors';
import { loadTensorFlow, resolveSequenceHyperParameters, SequenceRecommender } from '@recstream/models';
import { manifestPath, statePath } from './layout.js';
import { parseModelPublished, publishedMessage, readRegistryState } from './manifest.js';
import { createRegistryReader } from './reader.js';
import { createModelRegistry, type NewVersion } from './writer.js';

const tf = loadTensorFlow();
const hyper = resolveSequenceHyperParameters({ maxLength: 4, hiddenDim: 4, blocks: 1, negatives: 2 });

function version(name: string, overrides: Partial<NewVersion> = {}): NewVersion {
  return {
    model: 'sasrec',
    version: name,
    kind: 'full',
    parent: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    dataWindow: { from: null, to: null, events: 3 },
    watermark: { '0': 2 },
    metrics: { 'holdout.hr10': 0.5 },
    hyperParameters: {},
    ...overrides,
  };
}

async function setup(t: { teardown(fn: () => unknown): void }) {
  const root = await mkdtemp(join(tmpdir(), 'recstream-registry-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const model = SequenceRecommender.create(tf, hyper, { numItems: 3 }, 1);
  t.teardown(() => model.dispose());
  const registry = createModelRegistry(root);
  const reader = createRegistryReader(root);
  return { root, registry, reader, model };
}

async function rewriteManifest(root: string, name: string, change: (m: Record<string, unknown>) => unknown) {
  const path = manifestPath(root, 'sasrec', name);
  const manifest = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  await writeFile(path, JSON.stringify(change(manifest)));
}

t.test('what the writer saves, the reader loads: the live version and its items', async (t) => {
  const { registry, reader, model } = await setup(t);
  t.equal(await reader.liveVersion('sasrec'), undefined, 'nothing published yet');
  await registry.saveSequenceModel(version('v1'), model, ['a', 'b', 'c']);
  t.equal(await reader.liveVersion('sasrec'), undefined, 'saved is not live');
  await registry.setLive('sasrec', 'v1');
  t.equal(await reader.liveVersion('sasrec'), 'v1');
  const loaded = await reader.load('sasrec', 'v1', tf);
  t.teardown(() => loaded.loaded.model.dispose());
  t.same(loaded.itemIds, ['a', 'b', 'c']);
});

t.test(
  'a manifest that breaks its contract is refused by both sides, naming the file and the field',
  async (t) => {
    const { root, registry, reader, model } = await setup(t);
    await registry.saveSequenceModel(version('v1'), model, ['a', 'b', 'c']);
    const cases: [string, (m: Record<string, unknown>) => unknown, RegExp][] = [
      ['watermark offset below -1', (m) => ({ ...m, watermark: { '0': -7 } }), /\/watermark/],
      ['watermark partition not a number', (m) => ({ ...m, watermark: { x: 1 } }), /watermark/],
      ['no creation time', (m) => ({ ...m, createdAt: 'yesterday' }), /\/createdAt/],
      [
        'checksum not SHA-256',
        (m) => ({ ...m, artifact: { format: 'sequence-model', sha256: 'x' } }),
        /sha256/,
      ],
      ['unknown format', (m) => ({ ...m, artifact: { format: 'pickle', sha256: 'a'.repeat(64) } }), /format/],
      ['a parent that is a path', (m) => ({ ...m, parent: '../../etc' }), /\/parent/],
      ['an array', () => [], /is not a version manifest/],
    ];
    for (const [what, change, field] of cases) {
      await registry.saveSequenceModel(version('v2'), model, ['a', 'b', 'c']).catch(() => undefined);
      await rewriteManifest(root, 'v2', change);
      const writer = await registry.get('sasrec', 'v2').catch((error: unknown) => error);
      const read = await reader.load('sasrec', 'v2', tf).catch((error: unknown) => error);
      for (const [side, error] of [
        ['writer', writer],
        ['reader', read],
      ] as const) {
        t.type(error, PermanentError, `${what}: ${side}`);
        t.match((error as Error).message, /v2\/manifest\.json is not a version manifest/, `${what}: ${side}`);
        t.match((error as Error).message, field, `${what}: ${side}`);
      }
      await rm(join(root, 'sasrec', 'v2'), { recursive: true });
    }
    await registry.get('sasrec', 'v1'); // the good one is untouched
  },
);

t.test('a manifest copied under another version name is refused', async (t) => {
  const { root, registry, reader, model } = await setup(t);
  await registry.saveSequenceModel(version('v1'), model, ['a', 'b', 'c']);
  await registry.saveSequenceModel(version('v2'), model, ['a', 'b', 'c']);
  await writeFile(manifestPath(root, 'sasrec', 'v2'), await readFile(manifestPath(root, 'sasrec', 'v1')));
  await t.rejects(registry.get('sasrec', 'v2'), /describes sasrec\/v1, not sasrec\/v2/);
  await t.rejects(reader.load('sasrec', 'v2', tf), /describes sasrec\/v1, not sasrec\/v2/);
});

t.test('the writer never writes a manifest the readers would refuse', async (t) => {
  const { root, registry, model } = await setup(t);
  await t.rejects(
    registry.saveSequenceModel(version('v1', { createdAt: 'not a time' }), model, ['a', 'b', 'c']),
    /is not a version manifest: \/createdAt/,
  );
  await t.rejects(registry.saveJson(version('v1', { watermark: { '0': 1.5 } }), {}), /watermark/);
  t.same(await readdir(root), [], 'nothing written: no version, no staging directory');
});

t.test(
  'the registry state: missing is empty, anything malformed is refused before it becomes a path',
  async (t) => {
    const { root, reader } = await setup(t);
    t.same(await readRegistryState(root, 'sasrec'), {
      live: null,
      pinned: null,
      statuses: {},
      liveHistory: [],
    });
    await mkdir(join(root, '_registry'));
    const write = (value: string) => writeFile(statePath(root, 'sasrec'), value);
    await write('{"live":"../../etc"}');
    await t.rejects(reader.liveVersion('sasrec'), /registry state .*sasrec\.json is malformed: \/live/);
    await write('{"live":7}');
    await t.rejects(reader.liveVersion('sasrec'), /malformed/);
    await write('{"live":"v1","statuses":{"v1":"famous"}}');
    await t.rejects(reader.liveVersion('sasrec'), /malformed: \/statuses/);
    await write('{live');
    await t.rejects(reader.liveVersion('sasrec'), /is not JSON/);
    await write('{"live":null}');
    t.equal(await reader.liveVersion('sasrec'), undefined);
    await t.rejects(reader.liveVersion('../x'), /model name/);
  },
);

t.test('serving refuses a JSON artifact as a sequence model', async (t) => {
  const { registry, reader } = await setup(t);
  await registry.saveJson(version('v1', { kind: 'baseline' }), { items: [] });
  await t.rejects(reader.load('sasrec', 'v1', tf), /sasrec\/v1 is a json artifact, not a sequence model/);
});

t.test('the announcement: what the writer sends, the reader accepts; anything else is named', async (t) => {
  const { registry, model } = await setup(t);
  const record = await registry.saveSequenceModel(version('v1'), model, ['a', 'b', 'c']);
  const sent = publishedMessage(record, new Date('2026-01-01T00:01:00.000Z'));
  t.equal(sent.key, 'sasrec');
  const read = parseModelPublished(Buffer.from(sent.value));
  t.same(read, { message: { ...record, publishedAt: '2026-01-01T00:01:00.000Z' } });
  const body = JSON.parse(sent.value) as Record<string, unknown>;
  const of = (value: unknown) => parseModelPublished(Buffer.from(JSON.stringify(value)));
  t.same(parseModelPublished(null), { problem: 'tombstone' });
  t.same(parseModelPublished(Buffer.from('{')), { problem: 'not JSON' });
  t.same(of({ ...body, model: '../x' }), { problem: 'no valid model name' });
  t.same(of({ ...body, version: '/etc/passwd' }), { problem: 'no valid version name' });
  t.match(of({ ...body, status: 'famous' }), { problem: /^not a model announcement: \/status/ });
  t.match(of({ ...body, publishedAt: undefined }), { problem: /publishedAt/ });
});
