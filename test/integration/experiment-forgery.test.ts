/**
 * Experiments count only what serving itself logged. Any write key can send an `impression` event
 * with `properties.experiment` and `variant` (the contract allows free-form properties), so before
 * migration 0013 a page's own key could add impressions to the variant of its choice and move the
 * experiment's results. Against the real ClickHouse, with every migration applied.
 */
import t from 'tap';
import { sql } from '@recstream/clickhouse';
import { createTestDatabase, dropTestDatabase, testNamespace } from '@recstream/testing';

t.test('a forged impression from a write key does not count in an experiment', async (t) => {
  const ns = testNamespace('expforge');
  const clickhouse = await createTestDatabase(ns);
  t.teardown(async () => {
    await dropTestDatabase(ns);
    await clickhouse.close();
  });
  const now = new Date().toISOString().slice(0, 19).replace('T', ' ');
  const impression = (id: string, source: string, request: string, variant: string) => ({
    event_id: id,
    type: 'impression',
    anonymous_id: `shopper-${id}`,
    item_ids: ['i1', 'i2'],
    request_id: request,
    list: 'recommendations',
    properties: JSON.stringify({ experiment: 'ranker-test', variant }),
    source,
    event_time: now,
    received_at: now,
    event_date: now.slice(0, 10),
  });
  await clickhouse.insert('events', [
    impression('served', 'serving', 'r-served', 'a'),
    ...Array.from({ length: 5 }, (_, i) => impression(`forged${i}`, 'web', `r-forged${i}`, 'b')),
  ]);
  const rows = await clickhouse.query<{ variant: string; impressions: string }>(
    sql`SELECT variant, impressions FROM experiment_results WHERE experiment = ${'ranker-test'} ORDER BY variant`,
  );
  t.same(
    rows.map((r) => [r.variant, Number(r.impressions)]),
    [['a', 1]],
    "only serving's own impression counts; the write key's five do not",
  );
});
