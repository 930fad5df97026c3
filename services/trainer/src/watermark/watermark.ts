/**
 * The incremental watermark: for each partition of the events topic, the offset of the last event
 * a model version has learned. It travels inside the version's manifest, so it is durable exactly
 * when the version is: a crash before the version is saved leaves no version and the next update
 * starts again from the previous version's watermark — no event learned twice, none skipped.
 *
 * Offsets, unlike times, are exact: one shopper's events share a partition and the sink stores a
 * partition's events in offset order, so "offset > watermark[p]" is precisely what is new.
 * A batch is taken as a prefix of each partition (never a gap), merged across partitions in
 * arrival order and cut at a maximum size; any prefix of that merge is again a prefix of every
 * partition, which is what lets the newest part of a batch be held out without losing it.
 */
import { ERROR_CODES, PermanentError } from '@recstream/errors';
import { fragment, sql } from '@recstream/clickhouse';

/** `{partition: last offset learned}`; a partition that is absent has learned nothing (-1). */
export type Watermark = Readonly<Record<string, number>>;

export const EMPTY_WATERMARK: Watermark = Object.freeze({});

/** Where an event sits in the topic, and when Kafka got it (the merge order across partitions). */
export interface LogPosition {
  readonly partition: number;
  readonly offset: number;
  readonly receivedMs: number;
}

function invalid(message: string): PermanentError {
  return new PermanentError(ERROR_CODES.invalidInput, `watermark: ${message}`);
}

/** Validates a watermark read from a manifest or a job payload, naming the first bad entry. */
export function parseWatermark(value: unknown): Watermark {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalid(`expected an object {partition: offset}, got ${JSON.stringify(value)}`);
  const out: Record<string, number> = {};
  for (const [key, offset] of Object.entries(value)) {
    if (!/^(0|[1-9][0-9]{0,8})$/.test(key))
      throw invalid(`partition ${JSON.stringify(key)} is not an integer`);
    if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < -1)
      throw invalid(`offset of partition ${key} must be an integer >= -1, got ${JSON.stringify(offset)}`);
    out[key] = offset;
  }
  return out;
}

export function offsetOf(watermark: Watermark, partition: number): number {
  return watermark[String(partition)] ?? -1;
}

function partitionsOf(watermark: Watermark): number[] {
  return Object.keys(watermark)
    .map(Number)
    .sort((a, b) => a - b);
}

/**
 * SQL condition on `events` for what is beyond the watermark: per known partition a greater
 * offset, and anything in a partition the watermark has never seen. Rows written before positions
 * were recorded (partition -1) are never part of an incremental window.
 */
export function beyondCondition(watermark: Watermark): string {
  const known = partitionsOf(watermark);
  const terms = known.map((p) => sql`(kafka_partition = ${p} AND kafka_offset > ${offsetOf(watermark, p)})`);
  terms.push(
    known.length === 0
      ? 'kafka_partition >= 0'
      : sql`(kafka_partition >= 0 AND kafka_partition NOT IN (${fragment(known.join(', '))}))`,
  );
  return `(${terms.join(' OR ')})`;
}

/** SQL condition on `events` for what the watermark covers (the complement of `beyondCondition`). */
export function learnedCondition(watermark: Watermark): string {
  const known = partitionsOf(watermark);
  if (known.length === 0) return '0';
  return `(${known
    .map((p) => sql`(kafka_partition = ${p} AND kafka_offset <= ${offsetOf(watermark, p)})`)
    .join(' OR ')})`;
}

function byOffset(a: LogPosition, b: LogPosition): number {
  return a.offset - b.offset;
}

/**
 * Merges per-partition runs (each a prefix of its partition beyond the watermark) into arrival
 * order and keeps the first `max`. Ties go to the lower partition, then the lower offset, so the
 * result is deterministic. Every partition's contribution stays a prefix of its run.
 */
export function takeInArrivalOrder<T extends LogPosition>(rows: readonly T[], max: number): T[] {
  if (!Number.isInteger(max) || max < 1) throw invalid(`max batch must be a positive integer, got ${max}`);
  const runs = new Map<number, T[]>();
  for (const row of rows) {
    const run = runs.get(row.partition);
    if (run === undefined) runs.set(row.partition, [row]);
    else run.push(row);
  }
  for (const run of runs.values()) run.sort(byOffset);
  const heads = [...runs.entries()].map(([partition, run]) => ({ partition, run, next: 0 }));
  const taken: T[] = [];
  while (taken.length < max) {
    let best: (typeof heads)[number] | undefined;
    for (const head of heads) {
      const row = head.run[head.next];
      if (row === undefined) continue;
      const current = best?.run[best.next];
      if (
        current === undefined ||
        row.receivedMs < current.receivedMs ||
        (row.receivedMs === current.receivedMs && head.partition < (best?.partition ?? 0))
      )
        best = head;
    }
    if (best === undefined) break;
    taken.push(best.run[best.next] as T);
    best.next += 1;
  }
  return taken;
}

/** The watermark after learning `rows` on top of `watermark` (offsets only ever move forward). */
export function advanceWatermark(watermark: Watermark, rows: Iterable<LogPosition>): Watermark {
  const next: Record<string, number> = { ...watermark };
  for (const row of rows) {
    const key = String(row.partition);
    if (row.offset > (next[key] ?? -1)) next[key] = row.offset;
  }
  return next;
}

/**
 * Splits a batch in arrival order into what is learned now and the newest `fraction`, held out to
 * judge the candidate. The held-out part lies beyond the new watermark, so the next update learns
 * it; nothing is lost by holding it out.
 */
export function splitHoldout<T extends LogPosition>(
  batch: readonly T[],
  fraction: number,
): { learn: T[]; holdout: T[] } {
  if (!(fraction >= 0 && fraction < 1)) throw invalid(`holdout fraction must be in [0, 1), got ${fraction}`);
  const cut = batch.length - Math.floor(batch.length * fraction);
  return { learn: batch.slice(0, cut), holdout: batch.slice(cut) };
}

/**
 * The watermark as a canonical string (partitions in order): what a version has learned, whatever
 * its name or when it was made. Seeds derived from it make a run over the same log reproducible.
 */
export function watermarkKey(watermark: Watermark): string {
  return Object.keys(watermark)
    .map(Number)
    .sort((a, b) => a - b)
    .map((partition) => `${partition}:${offsetOf(watermark, partition)}`)
    .join(',');
}

/** Whether the watermark has learned the event at `position`. */
export function watermarkCovers(
  watermark: Watermark,
  position: Pick<LogPosition, 'partition' | 'offset'>,
): boolean {
  return position.offset <= offsetOf(watermark, position.partition);
}

/** Whether `a` has learned everything `b` has (per partition, a's offset is at least b's). */
export function coversWatermark(a: Watermark, b: Watermark): boolean {
  return Object.keys(b).every((p) => offsetOf(a, Number(p)) >= offsetOf(b, Number(p)));
}

/** The per-partition maximum: beyond it lie the events neither watermark has learned. */
export function mergeWatermarks(a: Watermark, b: Watermark): Watermark {
  const merged: Record<string, number> = { ...a };
  for (const [p, offset] of Object.entries(b)) merged[p] = Math.max(offset, merged[p] ?? -1);
  return merged;
}
