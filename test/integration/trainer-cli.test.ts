/**
 * `pnpm trainer:models` as operators run it — a process with the trainer's environment — against
 * a registry on disk, the real ClickHouse (decisions mirrored) and Kafka (live versions announced).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { sql } from '@recstream/clickhouse';
import { topicName } from '@recstream/schemas';
import { readTopic, testNamespace } from '@recstream/testing';
import { createModelRegistry } from '@recstream/model-registry';
import { tinySettings, untrainedModel } from '../support/trainer-fixtures.js';
import { namespaceDatabase } from '../support/namespace-fixture.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ns = testNamespace('trainercli');
const clickhouse = await namespaceDatabase(t, ns);

t.test('list, promote, pin, unpin and roll back from the command line', async (t) => {
  const root = await mkdtemp(join(tmpdir(), `${ns.id}-models-`));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const registry = createModelRegistry(root);
  const model = untrainedModel(tinySettings(), 4, 1);
  t.teardown(() => model.dispose());
  for (const [i, version] of ['v1', 'v2', 'v3'].entries()) {
    await registry.saveSequenceModel(
      {
        model: 'sasrec',
        version,
        kind: i === 0 ? 'full' : 'incremental',
        parent: i === 0 ? null : `v${i}`,
        createdAt: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
        dataWindow: { from: null, to: null, events: 10 * (i + 1) },
        watermark: { '0': i },
        metrics: { 'holdout.hr10': 0.1 * (i + 1), 'holdout.ndcg10': 0.05 },
        hyperParameters: {},
      },
      model,
      ['a', 'b', 'c', 'd'],
    );
  }
  const cli = (...args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'services/trainer/src/cli/models.ts', ...args],
        {
          cwd: REPO_ROOT,
          env: { ...process.env, ...ns.env, REC_MODEL_REGISTRY_DIR: root, REC_LOG_LEVEL: 'error' },
        },
        (error, stdout, stderr) =>
          resolve({ code: error === null ? 0 : (error.code as number), stdout, stderr }),
      );
    });
  const ok = async (...args: string[]): Promise<unknown> => {
    const run = await cli(...args);
    t.equal(run.code, 0, `${args.join(' ')}: ${run.stderr}`);
    return args.includes('list') && !args.includes('--json')
      ? run.stdout
      : (JSON.parse(run.stdout) as unknown);
  };

  t.same(await ok('promote', 'v1'), { live: 'v1' });
  t.same(await ok('promote', 'v2', '--reason', 'hotfix for a bad ranking'), { live: 'v2' });
  t.same(await ok('pin'), { pinned: 'v2' });
  const table = (await ok('list')) as string;
  t.match(table, /v2\s+incremental\s+live \(pinned\)\s+v1\s+20\s+0\.2000/);
  t.match(table, /v1\s+full\s+retired/);
  t.same(await ok('unpin'), { unpinned: 'v2' });
  t.same(await ok('rollback', '--reason', 'conversion dropped'), {
    from: 'v2',
    to: 'v1',
    withdrawn: ['v2', 'v3'],
  });
  const listed = (await ok('list', '--json')) as { version: string; status: string }[];
  t.same(
    listed.map((v) => `${v.version}:${v.status}`),
    ['v1:live', 'v2:rolled-back', 'v3:rolled-back'],
  );

  const bad = await cli('promote', 'v9');
  t.equal(bad.code, 1);
  t.match(bad.stderr, /no version sasrec\/v9/);
  const unpinnable = await cli('pin', 'v3');
  t.match(unpinnable.stderr, /only the live version can be pinned; sasrec\/v3 is rolled-back/);

  const decisions = await clickhouse.query<{ action: string; version: string; reason: string }>(
    sql`SELECT action, version, reason FROM model_decisions ORDER BY decided_at, action`,
  );
  t.same(decisions.map((d) => `${d.action}:${d.version}`).sort(), [
    'pin:v2',
    'promote:v1',
    'promote:v2',
    'rollback:v1',
    'unpin:v2',
  ]);
  t.ok(
    decisions.some((d) => d.reason === 'hotfix for a bad ranking'),
    "the operator's reason is recorded",
  );
  const messages = await readTopic(topicName('modelsPublished', ns.topicPrefix));
  t.same(
    messages.map((m) => `${m.key ?? ''}:${(JSON.parse(m.value ?? '{}') as { version: string }).version}`),
    ['sasrec:v1', 'sasrec:v2', 'sasrec:v1'],
    'every change of the live version was announced',
  );
});
