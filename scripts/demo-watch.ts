/**
 * Prints, every few seconds, what serving recommends and how many events ClickHouse holds, so a
 * newcomer sees the pipeline react to traffic. Used by scripts/demo.sh.
 */
import { parseArgs } from 'node:util';
import { createClickHouse } from '@recstream/clickhouse';

const { values } = parseArgs({
  options: {
    serving: { type: 'string', default: 'http://127.0.0.1:3002' },
    /** A serving API key with the read scope (`pnpm serving-keys create`). */
    'api-key': { type: 'string', default: process.env['REC_SERVING_API_KEY'] ?? '' },
    duration: { type: 'string', default: '0' },
    every: { type: 'string', default: '5' },
  },
});

interface Popular {
  items: { item_id: string; score: number; title?: string; category?: string }[];
}

const clickhouse = createClickHouse({
  url: process.env['REC_CLICKHOUSE_URL'] ?? 'http://127.0.0.1:18123',
  username: process.env['REC_CLICKHOUSE_USER'] ?? 'default',
  password: process.env['REC_CLICKHOUSE_PASSWORD'] ?? '',
  database: process.env['REC_CLICKHOUSE_DATABASE'] ?? 'recstream',
});

const durationMs = Number(values.duration) * 1000;
const started = Date.now();
let previousTop: string[] = [];

for (;;) {
  const [popular, counts] = await Promise.all([
    fetch(`${values.serving}/v1/recommendations/popular?k=5`, {
      headers: { authorization: `Bearer ${values['api-key']}` },
    }).then((r) => r.json() as Promise<Popular>),
    clickhouse.query<{ n: string }>('SELECT count() AS n FROM events').catch(() => [{ n: '?' }]),
  ]);
  const top = popular.items.map((i) => i.item_id);
  const changed = top.join() !== previousTop.join();
  previousTop = top;
  const elapsed = Math.round((Date.now() - started) / 1000);
  console.log(
    `\n[${elapsed}s] events in ClickHouse: ${counts[0]?.n ?? 0}   top 5 now${changed ? ' (changed)' : ''}:`,
  );
  popular.items.forEach((item, rank) => {
    console.log(
      `  ${rank + 1}. ${item.title ?? item.item_id}  [${item.category ?? '?'}]  score ${item.score.toFixed(1)}`,
    );
  });
  if (durationMs > 0 && Date.now() - started >= durationMs) break;
  await new Promise((resolve) => setTimeout(resolve, Number(values.every) * 1000));
}
await clickhouse.close();
