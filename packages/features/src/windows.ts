/**
 * Windowed counts per item and event type (last 1 h, 24 h, 7 d), kept as time buckets in one hash
 * per item. Each window has its own bucket width, so it needs few buckets; the oldest bucket is
 * only partly inside the window and is counted pro rata (the usual sliding-window estimate, off by
 * at most one bucket's events at the edge). Buckets older than their window are deleted when the
 * item's newest bucket moves on, so an item holds at most `WINDOW_FIELDS_PER_ITEM` fields.
 */
import type { EventType } from '@recstream/schemas';

export interface WindowSpec {
  /** Name used in field names and read results. */
  readonly name: '1h' | '24h' | '7d';
  readonly lengthMs: number;
  readonly bucketMs: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export const WINDOWS: readonly WindowSpec[] = [
  { name: '1h', lengthMs: HOUR, bucketMs: 10 * MINUTE },
  { name: '24h', lengthMs: 24 * HOUR, bucketMs: 3 * HOUR },
  { name: '7d', lengthMs: 7 * 24 * HOUR, bucketMs: 24 * HOUR },
];

/** Event types counted in windows (search and remove_from_cart say nothing about an item's appeal). */
export const WINDOWED_TYPES = [
  'view',
  'click',
  'add_to_cart',
  'purchase',
  'impression',
] as const satisfies readonly EventType[];
export type WindowedType = (typeof WINDOWED_TYPES)[number];

/** Buckets kept per window: the window's own plus the one it partly covers. */
export const bucketsKept = (spec: WindowSpec): number => spec.lengthMs / spec.bucketMs + 1;

export const WINDOW_FIELDS_PER_ITEM =
  WINDOWED_TYPES.length * WINDOWS.reduce((sum, spec) => sum + bucketsKept(spec), 0) + WINDOWS.length;

export const bucketOf = (spec: WindowSpec, timeMs: number): number => Math.floor(timeMs / spec.bucketMs);

export const windowField = (type: WindowedType, spec: WindowSpec, bucket: number): string =>
  `${type}:${spec.name}:${bucket}`;

/** Field holding the newest bucket seen for a window (drives the deletion of old buckets). */
export const headField = (spec: WindowSpec): string => `head:${spec.name}`;

/**
 * The buckets a window reads at `nowMs`, each with the share of it inside the window: the current
 * and full buckets count whole, the oldest by the fraction still covered.
 */
export function windowBuckets(spec: WindowSpec, nowMs: number): { bucket: number; share: number }[] {
  const newest = bucketOf(spec, nowMs);
  const start = nowMs - spec.lengthMs;
  const oldest = bucketOf(spec, start);
  const buckets: { bucket: number; share: number }[] = [];
  for (let bucket = oldest; bucket <= newest; bucket += 1) {
    const bucketEnd = (bucket + 1) * spec.bucketMs;
    const share = bucket === oldest ? (bucketEnd - start) / spec.bucketMs : 1;
    buckets.push({ bucket, share });
  }
  return buckets;
}
