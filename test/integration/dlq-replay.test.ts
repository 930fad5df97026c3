/**
 * The DLQ replay against the real ClickHouse and Kafka: parked records that pass the checks now are
 * published like new events (sink failures stripped of their server fields first); records still
 * refused are parked again with their new reasons; filters select; a dry run publishes nothing.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

import { countParked, createPublisher, replayParked } from '@recstream/ingest/replay';
import { createValidators } from '@recstream/schemas';
import {
  connectTestKafka,
  createTestDatabase,
  createTestTopics,
  deleteTestTopics,
  dropTestDatabase,
  readTopic,
  testNamespace,
  testTopics,
} from '@recstream/testing';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ns = testNamespace('dlqreplay');
const topics = testTopics(ns);

function failed(
  position: string,
  fields: { step: string; source: string; reason: string; payload: string; at: string },
) {
  return {
    failed_at: fields.at,
    source: fields.source,
    step: fields.step,
    reason: fields.reason,
    error_code: 'REC_ERR_INVALID_INPUT',
    event_id: '',
    payload: fields.payload,
    dlq_position: position,
    failed_date: fields.at.slice(0, 10),
  };
}

const fixedView = { type: 'view', event_id: 'r-1', user_id: 'u1', item_id: 'sku-1' };
const stillBad = { type: 'teleport', event_id: 'r-2', user_id: 'u1' };
const enrichedByCollector = {
  type: 'add_to_cart',
  event_id: 'r-3',
  user_id: 'u2',
  item_id: 'sku-2',
  quantity: 1,
  price: 5,
  currency: 'EUR',
  timestamp: '2026-05-01T09:00:00.000Z',
  schema_version: 1,
  received_at: '2026-05-01T09:00:01.000Z',
  event_time: '2026-05-01T09:00:00.000Z',
  source: 'web',
  device: { browser: 'Chrome', browser_version: '120', os: 'Linux', device_type: 'desktop' },
};
const item = {
  item_id: 'sku-9',
  title: 'Lip balm',
  category_path: ['Beauty', 'Lips'],
  price: 4.5,
  currency: 'EUR',
  availability: 'in_stock',
  updated_at: '2026-05-01T08:00:00.000Z',
};

t.test('dlq replay', async (t) => {
  const clickhouse = await createTestDatabase(ns);
  await createTestTopics(ns);
  const { producer } = await connectTestKafka(ns);
  t.teardown(async () => {
    await producer.disconnect();
    await clickhouse.close();
    await dropTestDatabase(ns);
    await deleteTestTopics(ns);
  });
  await clickhouse.insert('failed_events', [
    failed('dlq/0/1', {
      step: 'validate',
      source: 'http:/v1/events',
      reason: '/item_id must be a string',
      payload: JSON.stringify(fixedView),
      at: '2026-05-01 10:00:00',
    }),
    failed('dlq/0/2', {
      step: 'validate',
      source: 'http:/v1/events',
      reason: '/type unknown',
      payload: JSON.stringify(stillBad),
      at: '2026-05-01 10:00:01',
    }),
    failed('dlq/1/1', {
      step: 'sink',
      source: `${ns.topicPrefix}rec.events.v1/3/77`,
      reason: 'clickhouse refused the batch',
      payload: JSON.stringify(enrichedByCollector),
      at: '2026-05-01 10:00:02',
    }),
    failed('dlq/1/2', {
      step: 'validate',
      source: 'http:/v1/items',
      reason: '/price must be >= 0',
      payload: JSON.stringify(item),
      at: '2026-05-01 10:00:03',
    }),
    failed('dlq/2/1', {
      step: 'validate',
      source: 'http:/v1/events',
      reason: '/ not valid JSON',
      payload: '{"type":"view",',
      at: '2026-05-01 10:00:04',
    }),
    failed('dlq/2/2', {
      step: 'validate',
      source: 'http:/v1/events',
      reason: '/item_id must be a string',
      payload: JSON.stringify({ ...fixedView, event_id: 'r-old' }),
      at: '2026-04-01 00:00:00',
    }),
  ]);
  const deps = {
    clickhouse,
    validators: createValidators(),
    publisher: createPublisher(producer, topics),
    clock: { maxFutureSkewMs: 300_000, maxPastAgeMs: 365 * 86_400_000 },
    now: () => new Date('2026-05-02T00:00:00.000Z'),
    pageSize: 2,
  };
  const since = new Date('2026-05-01T00:00:00Z');

  t.equal(await countParked(clickhouse, { since }), 5, 'the filter selects the five recent records');
  t.equal(await countParked(clickhouse, { since, step: 'sink' }), 1);
  t.equal(await countParked(clickhouse, { reasonContains: 'item_id' }), 2);

  const dry = await replayParked({ since }, { ...deps, dryRun: true });
  t.match(dry, { examined: 5, accepted: 3, refused: 2, dryRun: true });
  t.same(await readTopic(topics.events), [], 'a dry run publishes nothing');

  const progress: number[] = [];
  const report = await replayParked({ since }, { ...deps, onProgress: (r) => progress.push(r.examined) });
  t.match(report, { examined: 5, accepted: 3, refused: 2, dryRun: false });
  t.same(progress, [2, 4, 5], 'progress after each page');
  t.equal(
    Object.values(report.refusedReasons).reduce((a, b) => a + b, 0),
    2,
    'each refusal has a reason',
  );

  const events = (await readTopic(topics.events)).map(
    (m) => JSON.parse(m.value ?? 'null') as Record<string, unknown>,
  );
  t.same(
    events.map((e) => e['event_id']).sort(),
    ['r-1', 'r-3'],
    'the fixed and the sink-failed events are published',
  );
  const resent = events.find((e) => e['event_id'] === 'r-3');
  t.equal(resent?.['source'], 'web', 'enriched again, keeping the write-key source that sent it');
  t.equal(resent?.['event_time'], '2026-05-01T09:00:00.000Z', 'from the client timestamp it carried');
  t.notOk(resent !== undefined && 'device' in resent, 'stale server fields are not carried over');

  const items = (await readTopic(topics.items)).map((m) => m.key);
  t.same(items, ['sku-9'], 'the item goes to the items topic, keyed by id');

  const reparked = await readTopic(topics.dlq);
  t.equal(reparked.length, 2, 'the two still-refused records are parked again');
  t.ok(
    reparked.every((m) => m.headers['rec-dlq-source'] === 'replay:/v1/events'),
    'marked as refused by a replay',
  );
  t.ok(
    reparked.some((m) => m.value === '{"type":"view",'),
    'the unreadable payload is kept byte for byte',
  );

  const limited = await replayParked({ since, limit: 1 }, { ...deps, dryRun: true });
  t.equal(limited.examined, 1, 'limit bounds the records examined');

  // The command operators run, as a process with the service's environment.
  const cli = (...args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'services/ingest/src/cli/dlq-replay.ts', ...args],
        { cwd: REPO_ROOT, env: { ...process.env, ...ns.env, REC_LOG_LEVEL: 'error' } },
        (error, stdout, stderr) =>
          resolve({ code: error === null ? 0 : (error.code as number), stdout, stderr }),
      );
    });
  const run = await cli('--since', '2026-05-01T00:00:00Z', '--step', 'validate', '--dry-run');
  t.equal(run.code, 0, run.stderr);
  t.match(JSON.parse(run.stdout), { total: 4, examined: 4, accepted: 2, refused: 2, dryRun: true });
  const bad = await cli('--since', 'last tuesday');
  t.not(bad.code, 0, 'a bad argument fails the command');
  t.match(bad.stderr, /not a date-time: last tuesday/);
});
