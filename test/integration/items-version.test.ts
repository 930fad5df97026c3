/**
 * Item versions against the real Kafka and ClickHouse, with the sink as a real process: the order
 * in which the items topic received the changes decides, as it does in the feature store, whatever
 * `updated_at` the client's clock wrote. An item sent with `updated_at` in 2100 and then deleted is
 * deleted; an item re-created after its deletion is live, even with an older `updated_at`.
 */
import t from 'tap';
import { startService, testNamespace, testTopics, waitFor } from '@recstream/testing';
import { namespaceFixture } from '../support/namespace-fixture.js';

const ns = testNamespace('itemsversion');
const topics = testTopics(ns);

function item(id: string, updatedAt: string, title = `Title ${id}`) {
  return JSON.stringify({
    item_id: id,
    title,
    category_path: ['Beauty', 'Lips'],
    price: 10,
    currency: 'EUR',
    availability: 'in_stock',
    updated_at: updatedAt,
  });
}

t.test('the items topic order wins over the client clock', async (t) => {
  const { clickhouse, producer, services } = await namespaceFixture(t, ns);
  const sink = await startService({
    service: 'ingest',
    env: { ...ns.env, REC_INGEST_ROLE: 'sink', REC_SINK_BATCH_DELAY_MS: '100' },
  });
  services.push(sink);
  const send = (key: string, value: string | null) => producer.send(topics.items, [{ key, value }]);
  const latest = async () =>
    await clickhouse.query<{ item_id: string; title: string; is_deleted: number }>(
      'SELECT item_id, title, is_deleted FROM items FINAL ORDER BY item_id',
    );

  // A client clock in 2100 (a valid DateTime, so the row itself is storable), then a deletion.
  await send('sku-future', item('sku-future', '2100-01-01T00:00:00.000Z'));
  // Re-created after its deletion, by a feed whose clock says an earlier time than the deletion.
  await send('sku-back', item('sku-back', '2026-05-01T08:00:00.000Z', 'First'));
  await waitFor('the two upserts stored', async () => ((await latest()).length === 2 ? true : undefined));
  await send('sku-future', null);
  await send('sku-back', null);
  await waitFor('the deletions stored', async () =>
    Number((await clickhouse.query<{ n: string }>('SELECT count() AS n FROM items'))[0]?.n) >= 4
      ? true
      : undefined,
  );
  await send('sku-back', item('sku-back', '2026-04-01T00:00:00.000Z', 'Again'));
  await waitFor('the re-creation stored', async () =>
    Number((await clickhouse.query<{ n: string }>('SELECT count() AS n FROM items'))[0]?.n) >= 5
      ? true
      : undefined,
  );

  const rows = await latest();
  t.same(
    rows.map((row) => [row.item_id, row.title, Number(row.is_deleted)]),
    [
      ['sku-back', 'Again', 0],
      ['sku-future', '', 1],
    ],
    'the item from 2100 is deleted, the re-created one is live',
  );
});
