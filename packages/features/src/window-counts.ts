/**
 * Reading the windowed counts of windows.ts: which bucket fields a read at `nowMs` needs, and the
 * sums over them with the oldest bucket counted pro rata (`windowBuckets`).
 */
import {
  WINDOWED_TYPES,
  WINDOWS,
  windowBuckets,
  windowField,
  type WindowSpec,
  type WindowedType,
} from './windows.js';
import { numberOr0 } from './replies.js';

/** '1h', '24h' or '7d' (windows.ts). */
export type WindowName = WindowSpec['name'];

/** Events per window and type, e.g. `counts['24h'].click`; fractional where a bucket counts in part. */
export type WindowCounts = Record<WindowName, Record<WindowedType, number>>;

/** The fields of an item's window hash a read at one time needs, with the share each counts for. */
export interface WindowReadPlan {
  readonly fields: readonly string[];
  readonly parts: readonly {
    readonly window: WindowName;
    readonly type: WindowedType;
    readonly share: number;
  }[];
}

/** Every window × type bucket field readable at `nowMs` (the same plan serves every item). */
export function windowReadPlan(nowMs: number): WindowReadPlan {
  const fields: string[] = [];
  const parts: { window: WindowName; type: WindowedType; share: number }[] = [];
  for (const spec of WINDOWS)
    for (const { bucket, share } of windowBuckets(spec, nowMs))
      for (const type of WINDOWED_TYPES) {
        fields.push(windowField(type, spec, bucket));
        parts.push({ window: spec.name, type, share });
      }
  return { fields, parts };
}

/** All-zero counts. */
export function zeroCounts(): WindowCounts {
  const perType = () =>
    Object.fromEntries(WINDOWED_TYPES.map((type) => [type, 0])) as Record<WindowedType, number>;
  return Object.fromEntries(WINDOWS.map((spec) => [spec.name, perType()])) as WindowCounts;
}

/** Sums the values read for `plan.fields` (HMGET order; missing fields are 0) into counts per window and type. */
export function sumWindows(plan: WindowReadPlan, values: readonly unknown[]): WindowCounts {
  const counts = zeroCounts();
  plan.parts.forEach(({ window, type, share }, i) => {
    counts[window][type] += share * numberOr0(values[i]);
  });
  return counts;
}
