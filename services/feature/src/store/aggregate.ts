/**
 * Combines the operations of a chunk of events into fewer: additions to the same member are
 * summed (in log space for decayed scores), latest times reduced to the latest, window counts
 * to one count per bucket. Popular items and active shoppers are touched many times per chunk;
 * Redis then does that work once. Sound because every feature operation commutes: the store's
 * result does not depend on the order events are applied in (see docs/features.md) — except the
 * operations that read state (co-visitation reads the session; a login merge and an alias
 * redirect depend on whether the alias exists), which are kept, in event order, as they are.
 */
import { logAddExp } from '@recstream/features';
import type { FeatureOp } from './ops.js';

/** One window count for the aggregated `wins` op. */
export interface WindowCount {
  readonly type: string;
  readonly window: string;
  readonly bucket: number;
  readonly keep: number;
  count: number;
}

export type StoreOp =
  | Exclude<FeatureOp, { op: 'win' }>
  | { op: 'wins'; key: string; types: readonly string[]; counts: WindowCount[]; ttl: number };

type Keyed<T extends FeatureOp['op']> = Extract<FeatureOp, { op: T }>;

export function aggregateOps(perEvent: readonly (readonly FeatureOp[])[]): StoreOp[] {
  const scores = new Map<string, Keyed<'zlog'> | Keyed<'zmax'> | Keyed<'zincr'>>();
  const increments = new Map<string, Keyed<'hincr'>>();
  const windows = new Map<
    string,
    { op: 'wins'; key: string; types: readonly string[]; counts: WindowCount[]; ttl: number }
  >();
  const windowCounts = new Map<string, WindowCount>();
  const ordered: StoreOp[] = [];

  const add = (op: FeatureOp) => {
    switch (op.op) {
      case 'zlog':
      case 'zmax':
      case 'zincr': {
        const id = `${op.op}\u0000${op.key}\u0000${op.member}`;
        const seen = scores.get(id);
        if (seen === undefined) scores.set(id, { ...op });
        else if (seen.op === 'zlog' && op.op === 'zlog')
          seen.logScore = logAddExp(seen.logScore, op.logScore);
        else if (seen.op === 'zmax' && op.op === 'zmax') seen.score = Math.max(seen.score, op.score);
        else if (seen.op === 'zincr' && op.op === 'zincr') seen.delta += op.delta;
        return;
      }
      case 'hincr': {
        const id = `${op.key}\u0000${op.field}`;
        const seen = increments.get(id);
        if (seen === undefined) increments.set(id, { ...op });
        else seen.delta += op.delta;
        return;
      }
      case 'win': {
        let entry = windows.get(op.key);
        if (entry === undefined) {
          entry = { op: 'wins', key: op.key, types: op.types, counts: [], ttl: op.ttl };
          windows.set(op.key, entry);
        }
        for (const b of op.buckets) {
          const id = `${op.key}\u0000${op.type}\u0000${b.window}\u0000${b.bucket}`;
          const count = windowCounts.get(id);
          if (count !== undefined) count.count += 1;
          else {
            const created: WindowCount = {
              type: op.type,
              window: b.window,
              bucket: b.bucket,
              keep: b.keep,
              count: 1,
            };
            windowCounts.set(id, created);
            entry.counts.push(created);
          }
        }
        return;
      }
      case 'covis':
      case 'zmerge':
      case 'once':
      case 'follow':
        // They read state (the session, the alias), so they keep their order.
        ordered.push(op);
    }
  };

  for (const ops of perEvent) {
    for (let i = 0; i < ops.length; i += 1) {
      const op = ops[i] as FeatureOp;
      if (op.op === 'once' || op.op === 'follow') {
        // A guard and the ops it governs run in order, unchanged.
        const block = op.op === 'once' ? op.skip : op.count;
        ordered.push(op);
        for (const governed of ops.slice(i + 1, i + 1 + block)) {
          if (governed.op === 'win') throw new Error('a window count cannot be guarded');
          ordered.push(governed);
        }
        i += block;
      } else {
        add(op);
      }
    }
  }
  return [...scores.values(), ...increments.values(), ...windows.values(), ...ordered];
}
