/**
 * `pnpm bench:dedup` — what the sink's insert-time dedup costs as a day's events grow.
 *
 * Before each insert the sink asks ClickHouse which event ids of the batch are already stored
 * (packages/clickhouse/src/dedup.ts); that lookup reads the `event_id` column of the batch's days.
 * This fills one day of `events` to increasing sizes (server-side, INSERT … SELECT) and times the
 * lookup of a sink-sized batch (half stored ids, half new), printing JSON.
 *
 * Options (environment): BENCH_DAY_SIZES (comma-separated row counts, default 1000000,4000000,16000000),
 * BENCH_LOOKUP_IDS (ids per lookup, default 20000), BENCH_REPEATS (default 5).
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createRowDeduplicator } from '@recstream/clickhouse';
import { createTestDatabase, dropTestDatabase, testNamespace } from '@recstream/testing';
import { reportHeader } from './report.js';
import { percentile, round } from './stats.js';

const DAY = '2026-05-01';
const FILL_STEP = 1_000_000;

function listFromEnv(name: string, fallback: number[]): number[] {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  return raw.split(',').map((part) => {
    const value = Number(part);
    if (!Number.isInteger(value) || value <= 0) throw new Error(`${name}: not a positive integer: ${part}`);
    return value;
  });
}

const progress = (message: string) => process.stderr.write(`[bench:dedup] ${message}\n`);

async function main(): Promise<void> {
  const sizes = listFromEnv('BENCH_DAY_SIZES', [1_000_000, 4_000_000, 16_000_000]).sort((a, b) => a - b);
  const [lookupIds = 20_000] = listFromEnv('BENCH_LOOKUP_IDS', [20_000]);
  const [repeats = 5] = listFromEnv('BENCH_REPEATS', [5]);
  const ns = testNamespace('benchdedup');
  const clickhouse = await createTestDatabase(ns);
  try {
    const dedup = createRowDeduplicator(clickhouse, {
      table: 'events',
      idColumn: 'event_id',
      dateColumn: 'event_date',
    });
    const results = [];
    let filled = 0;
    for (const size of sizes) {
      const started = performance.now();
      // Ids like a client's: random-looking, so they spread over the whole sorted day. Filled in
      // steps so that no statement outlives the client's request timeout.
      for (let from = filled; from < size; from += FILL_STEP) {
        const count = Math.min(FILL_STEP, size - from);
        await clickhouse.command(
          `INSERT INTO events (event_id, type, user_id, item_id, event_time, received_at, event_date)
           SELECT lower(hex(MD5(toString(number)))) AS event_id, 'view', concat('u', toString(number % 100000)),
                  concat('sku-', toString(number % 10000)), toDateTime('${DAY} 12:00:00'),
                  toDateTime('${DAY} 12:00:00'), toDate('${DAY}')
           FROM system.numbers WHERE number >= ${from} LIMIT ${count}`,
        );
      }
      progress(`${size} events in the day (filled in ${round((performance.now() - started) / 1000)} s)`);
      filled = size;
      const timings: number[] = [];
      let skipped = 0;
      for (let repeat = 0; repeat < repeats; repeat += 1) {
        const rows = Array.from({ length: lookupIds }, (_, i) => ({
          // Half stored (random offsets into what is there), half new.
          event_id:
            i % 2 === 0
              ? createStoredId(Math.floor(Math.random() * size))
              : `new-${repeat}-${i}-${Math.random().toString(36).slice(2)}`,
          event_date: DAY,
        }));
        const at = performance.now();
        const fresh = await dedup(rows);
        timings.push(performance.now() - at);
        skipped += rows.length - fresh.length;
      }
      timings.sort((a, b) => a - b);
      results.push({
        events_in_day: size,
        lookup_ids: lookupIds,
        lookup_ms_p50: round(percentile(timings, 50)),
        lookup_ms_max: round(timings[timings.length - 1] ?? 0),
        stored_ids_recognised: skipped / repeats,
      });
    }
    process.stdout.write(
      `${JSON.stringify(
        {
          ...reportHeader('dedup'),
          results,
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    await clickhouse.close();
    await dropTestDatabase(ns);
  }
}

/** The id the fill query gave row `n`: hex MD5 of its number, as ClickHouse computed it. */
function createStoredId(n: number): string {
  return createHash('md5').update(String(n)).digest('hex');
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:dedup failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
