/**
 * Turns the operations of a chunk of events into the writes the apply-once script makes: one group
 * per key, in which additions to the same member are combined (summed, in log space for decayed
 * scores, or reduced to the latest time) and all members go in one command. Popular items and
 * active shoppers are touched many times per chunk, and Redis' cost is mostly per command, not
 * per member: grouping is what lets one Redis core keep up with the stream.
 *
 * Sound because every feature operation commutes: the store's result does not depend on the order
 * events are applied in (docs/features.md). The operations that read state keep what they need:
 * - co-visitation reads the session, so each session's events stay in order (its own group);
 * - a login merges the anonymous shopper's features into the user once (the alias key records
 *   it); the script runs the chunk's logins before anything else;
 * - an anonymous shopper's operations go to the user it logged in as, when it has: the script
 *   resolves each alias once per chunk, after the logins. Writing an anonymous shopper's event to
 *   the user directly equals writing it to the anonymous keys and merging them later (the merge
 *   combines with the same operation as the write), so the chunk's order inside does not matter.
 */
import { logAddExp } from '@recstream/features';
import type { FeatureOp } from './ops.js';

type Keyed<T extends FeatureOp['op']> = Extract<FeatureOp, { op: T }>;

/** `max`: latest time wins; `log`: log-space sum; `add`: plain sum. */
export type ZsetKind = 'max' | 'log' | 'add';

export interface ZsetGroup {
  readonly kind: ZsetKind;
  readonly key: string;
  /** 1-based index into `aliases` when the key is an anonymous shopper's (0: not rewritten). */
  readonly alias: number;
  readonly cap: number;
  readonly ttl: number;
  readonly members: string[];
  readonly values: number[];
}

/** An anonymous shopper whose keys move to `<toBase><user>:` once its alias exists. */
export interface AliasRef {
  readonly key: string;
  readonly fromPrefix: string;
  readonly toBase: string;
  readonly ttl: number;
}

export interface Merge {
  readonly to: string;
  readonly from: string;
  readonly mode: 'log' | 'max';
  readonly cap: number;
  readonly ttl: number;
}

/** Sets the alias unless it exists; only then are the anonymous features merged into the user. */
export interface Login {
  readonly aliasKey: string;
  readonly user: string;
  readonly ttl: number;
  readonly merges: readonly Merge[];
}

/** Members added to a set, each once. */
export interface SetAdditions {
  readonly key: string;
  readonly members: Set<string>;
}

export interface HashIncrements {
  readonly key: string;
  readonly ttl: number;
  readonly fields: Map<string, number>;
}

/** One window count of an item's window hash. */
export interface WindowCount {
  readonly type: string;
  readonly window: string;
  readonly bucket: number;
  readonly keep: number;
  count: number;
}

export interface WindowGroup {
  readonly key: string;
  readonly ttl: number;
  readonly types: readonly string[];
  readonly counts: WindowCount[];
}

/** A session's events of this chunk, in order, for co-visitation. */
export interface SessionGroup {
  readonly op: Keyed<'covis'>;
  readonly events: [item: string, timeMs: number, weight: number][];
}

export interface ChunkWrites {
  readonly aliases: AliasRef[];
  readonly logins: Login[];
  readonly zsets: ZsetGroup[];
  readonly sets: SetAdditions[];
  readonly hashes: HashIncrements[];
  readonly windows: WindowGroup[];
  readonly sessions: SessionGroup[];
}

const ZSET_KIND = { zmax: 'max', zlog: 'log', zincr: 'add' } as const;

function combine(kind: ZsetKind, a: number, b: number): number {
  if (kind === 'max') return Math.max(a, b);
  if (kind === 'log') return logAddExp(a, b);
  return a + b;
}

export function aggregateOps(perEvent: readonly (readonly FeatureOp[])[]): ChunkWrites {
  const writes: ChunkWrites = {
    aliases: [],
    logins: [],
    zsets: [],
    sets: [],
    hashes: [],
    windows: [],
    sessions: [],
  };
  const aliasIndex = new Map<string, number>();
  const loggedIn = new Set<string>();
  const zsets = new Map<string, { group: ZsetGroup; index: Map<string, number> }>();
  const sets = new Map<string, SetAdditions>();
  const hashes = new Map<string, HashIncrements>();
  const windows = new Map<string, WindowGroup>();
  const windowCounts = new Map<string, WindowCount>();
  const sessions = new Map<string, SessionGroup>();

  const addZset = (op: Keyed<'zmax'> | Keyed<'zlog'> | Keyed<'zincr'>, alias: number) => {
    const kind = ZSET_KIND[op.op];
    const value = op.op === 'zmax' ? op.score : op.op === 'zlog' ? op.logScore : op.delta;
    const id = `${kind}\u0000${alias}\u0000${op.key}`;
    let entry = zsets.get(id);
    if (entry === undefined) {
      const group = { kind, key: op.key, alias, cap: op.cap, ttl: op.ttl, members: [], values: [] };
      entry = { group, index: new Map() };
      zsets.set(id, entry);
      writes.zsets.push(group);
    }
    const at = entry.index.get(op.member);
    if (at === undefined) {
      entry.index.set(op.member, entry.group.members.length);
      entry.group.members.push(op.member);
      entry.group.values.push(value);
    } else {
      entry.group.values[at] = combine(kind, entry.group.values[at] as number, value);
    }
  };

  const addWindowCounts = (op: Keyed<'win'>) => {
    let group = windows.get(op.key);
    if (group === undefined) {
      group = { key: op.key, ttl: op.ttl, types: op.types, counts: [] };
      windows.set(op.key, group);
      writes.windows.push(group);
    }
    for (const b of op.buckets) {
      const id = `${op.key}\u0000${op.type}\u0000${b.window}\u0000${b.bucket}`;
      const count = windowCounts.get(id);
      if (count !== undefined) count.count += 1;
      else {
        const created = { type: op.type, window: b.window, bucket: b.bucket, keep: b.keep, count: 1 };
        windowCounts.set(id, created);
        group.counts.push(created);
      }
    }
  };

  const add = (op: FeatureOp, alias: number) => {
    if (alias !== 0 && op.op !== 'zlog' && op.op !== 'zmax' && op.op !== 'zincr')
      throw new Error(`only a shopper's sorted sets follow an alias, not '${op.op}'`);
    switch (op.op) {
      case 'zlog':
      case 'zmax':
      case 'zincr':
        addZset(op, alias);
        return;
      case 'sadd': {
        let group = sets.get(op.key);
        if (group === undefined) {
          group = { key: op.key, members: new Set() };
          sets.set(op.key, group);
          writes.sets.push(group);
        }
        group.members.add(op.member);
        return;
      }
      case 'hincr': {
        let group = hashes.get(op.key);
        if (group === undefined) {
          group = { key: op.key, ttl: op.ttl, fields: new Map() };
          hashes.set(op.key, group);
          writes.hashes.push(group);
        }
        group.fields.set(op.field, (group.fields.get(op.field) ?? 0) + op.delta);
        return;
      }
      case 'win':
        addWindowCounts(op);
        return;
      case 'covis': {
        let group = sessions.get(op.sessionKey);
        if (group === undefined) {
          group = { op, events: [] };
          sessions.set(op.sessionKey, group);
          writes.sessions.push(group);
        }
        group.events.push([op.item, op.timeMs, op.weight]);
        return;
      }
      case 'zmerge':
      case 'once':
      case 'follow':
        throw new Error(`a '${op.op}' operation cannot be governed by another`);
    }
  };

  for (const ops of perEvent) {
    for (let i = 0; i < ops.length; i += 1) {
      const op = ops[i] as FeatureOp;
      if (op.op === 'once') {
        const merges = ops.slice(i + 1, i + 1 + op.skip).map((merge): Merge => {
          if (merge.op !== 'zmerge') throw new Error(`a login governs merges, not '${merge.op}'`);
          return { to: merge.key, from: merge.from, mode: merge.mode, cap: merge.cap, ttl: merge.ttl };
        });
        // Only the first login of an anonymous shopper can set its alias; later ones are no-ops.
        if (!loggedIn.has(op.key)) {
          loggedIn.add(op.key);
          writes.logins.push({ aliasKey: op.key, user: op.value, ttl: op.ttl, merges });
        }
        i += op.skip;
      } else if (op.op === 'follow') {
        let alias = aliasIndex.get(op.aliasKey);
        if (alias === undefined) {
          writes.aliases.push({
            key: op.aliasKey,
            fromPrefix: op.fromPrefix,
            toBase: op.toBase,
            ttl: op.ttl,
          });
          alias = writes.aliases.length;
          aliasIndex.set(op.aliasKey, alias);
        }
        for (const governed of ops.slice(i + 1, i + 1 + op.count)) add(governed, alias);
        i += op.count;
      } else if (op.op === 'zmerge') {
        throw new Error('a merge must follow its login');
      } else {
        add(op, 0);
      }
    }
  }
  return writes;
}
