/** The whole-pipeline benchmark's arithmetic: consumer lag, time to drain, CPU per event, loss. */
import { round } from './stats.js';

/** A partition's log end (`high`) and start (`low`), as Kafka's admin API answers them. */
export interface PartitionEnds {
  readonly partition: number;
  readonly high: string;
  readonly low: string;
}

/** A group's committed offset on a partition; "-1" when it has committed none. */
export interface CommittedOffset {
  readonly partition: number;
  readonly offset: string;
}

/**
 * Messages a group has not yet consumed on one topic: per partition, the log end minus the
 * committed offset (the next one to read), or minus the log start when nothing is committed yet.
 */
export function topicLag(ends: readonly PartitionEnds[], committed: readonly CommittedOffset[]): number {
  const byPartition = new Map(committed.map((c) => [c.partition, Number(c.offset)]));
  let lag = 0;
  for (const { partition, high, low } of ends) {
    const next = byPartition.get(partition);
    const from = next === undefined || next < 0 ? Number(low) : next;
    lag += Math.max(0, Number(high) - from);
  }
  return lag;
}

/** (time in ms, value) samples in time order. */
export type Samples = readonly (readonly [timeMs: number, value: number])[];

/** How long after `fromMs` the value was first 0 (a sample at or after it); undefined if never. */
export function timeToZeroMs(samples: Samples, fromMs: number): number | undefined {
  const hit = samples.find(([at, value]) => at >= fromMs && value === 0);
  return hit === undefined ? undefined : Math.max(0, hit[0] - fromMs);
}

/** CPU microseconds per event from a CPU-seconds delta; undefined when either side is unknown. */
export function cpuUsPerEvent(
  cpuSeconds: number | undefined,
  events: number | undefined,
): number | undefined {
  if (cpuSeconds === undefined || events === undefined || events <= 0) return undefined;
  return round((cpuSeconds * 1e6) / events, 1);
}

/** The CPU seconds a process used between two readings; undefined when either is missing. */
export function cpuDelta(before: number | undefined, after: number | undefined): number | undefined {
  return before === undefined || after === undefined ? undefined : round(after - before, 2);
}

/**
 * Accepted events that are in neither `events` nor `failed_events`: lost. `stored` counts
 * distinct ids in `events`, `parkedOnly` distinct ids in `failed_events` and not in `events`.
 */
export function lostEvents(counts: { accepted: number; stored: number; parkedOnly: number }): number {
  return Math.max(0, counts.accepted - counts.stored - counts.parkedOnly);
}
