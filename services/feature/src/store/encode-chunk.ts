/**
 * A chunk as the one MessagePack argument apply-once.lua decodes (with Redis' bundled cmsgpack:
 * about twice as fast as its JSON decoder, which was a fifth of the script's time). Arrays
 * rather than objects keep it short; the field order is the script's.
 */
import { Packr } from 'msgpackr';
import type { ChunkWrites } from './aggregate.js';
import type { CompiledEvent } from './ops.js';
import { SEEN_SET_TTL_S, type SeenPlan } from './seen-ids.js';

// Plain MessagePack maps and arrays: no msgpackr record extension, which cmsgpack cannot read.
const packr = new Packr({ useRecords: false });

/**
 * The expiry to send with a write to `key` whose expiry is `ttl` seconds: `ttl`, or 0 when it need
 * not be renewed now (expiry-renewals.ts).
 */
export type ExpiryFor = (key: string, ttl: number) => number;

export function encodeChunk(
  events: readonly CompiledEvent[],
  expected: readonly boolean[],
  seen: SeenPlan,
  writes: ChunkWrites,
  expiryFor: ExpiryFor,
  /** How long a seen-id set lives after its last addition (seen-ids.ts). */
  seenTtl: number = SEEN_SET_TTL_S,
): Buffer {
  return packr.pack({
    // Offsets stay strings: they may exceed 2^53.
    ev: events.map((event, i) => [event.offset, event.eventId, seen.marks[i]]),
    exp: expected.map((fresh) => (fresh ? 1 : 0)),
    check: seen.check,
    seenTtl,
    lo: writes.logins.map((login) => [
      login.aliasKey,
      login.user,
      login.ttl,
      login.merges.map((m) => [m.to, m.from, m.mode, m.cap, m.ttl]),
    ]),
    al: writes.aliases.map((alias) => [alias.key, alias.fromPrefix, alias.toBase, alias.ttl]),
    // A key behind an alias is resolved in the script: its name here is not the one written.
    z: writes.zsets.map((z) => [
      z.kind,
      z.key,
      z.alias,
      z.cap,
      z.alias === 0 ? expiryFor(z.key, z.ttl) : z.ttl,
      z.members,
      z.values,
    ]),
    sa: writes.sets.map((set) => [set.key, [...set.members]]),
    h: writes.hashes.map((h) => [
      h.key,
      expiryFor(h.key, h.ttl),
      [...h.fields.keys()],
      [...h.fields.values()],
    ]),
    w: writes.windows.map((w) => [
      w.key,
      expiryFor(w.key, w.ttl),
      w.types,
      w.counts.map((c) => [c.type, c.window, c.bucket, c.keep, c.count]),
    ]),
    s: writes.sessions.map(({ op, events: sessionEvents }) => [
      op.sessionKey,
      op.sessionCap,
      expiryFor(op.sessionKey, op.sessionTtl),
      op.maxGapMs,
      op.gapTauMs,
      op.cap,
      op.ttl,
      op.keyPrefix,
      op.keySuffix,
      sessionEvents,
    ]),
  });
}
