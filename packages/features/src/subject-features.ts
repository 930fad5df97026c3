/**
 * A shopper's features as readers hand them out, and the pure steps that build them from the
 * sorted sets the feature service writes (keys.ts): parsing sequence members, decaying affinities,
 * and merging the sets of an anonymous subject whose login the feature service has not seen yet.
 */
import { EVENT_TYPES, type EventType } from '@recstream/schemas';
import { AFFINITY_TAU_MS, currentCount, logAddExp } from './popularity.js';
import type { ScoredMember } from './replies.js';

/** One interaction of the shopper's recent history. */
export interface SequenceEntry {
  readonly itemId: string;
  readonly type: EventType;
  readonly timeMs: number;
}

/** A category (path joined with ' > ') or brand the shopper is drawn to. */
export interface Affinity {
  readonly name: string;
  /** Event weight given to it (EVENT_WEIGHTS), decayed to now with τ 7 d. */
  readonly score: number;
}

/** An item with the time it entered a list (cart, purchases). */
export interface TimedItem {
  readonly itemId: string;
  readonly timeMs: number;
}

/** A query the shopper searched for. */
export interface RecentSearch {
  readonly query: string;
  /** When it was last searched. */
  readonly timeMs: number;
}

/** What `readSubjectFeatures` returns: one shopper's online features. */
export interface SubjectFeatures {
  /**
   * The subject read (`u:<user>`, `a:<anonymous>` or `s:<session>`): the user when a user id was
   * given or when the anonymous subject has logged in (its alias); undefined when no id was given.
   */
  readonly subject: string | undefined;
  /**
   * The anonymous subject whose features were added to the user's because the feature service has
   * not processed the login yet (a request with both ids right after logging in); else undefined.
   */
  readonly mergedAnonymous: string | undefined;
  /** Newest first. */
  readonly sequence: readonly SequenceEntry[];
  /** Best first. */
  readonly categoryAffinities: readonly Affinity[];
  /** Best first. */
  readonly brandAffinities: readonly Affinity[];
  /** Newest first. */
  readonly searches: readonly RecentSearch[];
  /** Newest first; items leave the cart when removed or purchased. */
  readonly cart: readonly TimedItem[];
  /** Newest first. */
  readonly purchased: readonly TimedItem[];
}

const eventTypes: ReadonlySet<string> = new Set(EVENT_TYPES);

/**
 * Parses a sequence member `<ms>:<type>:<item>`. Item ids may themselves contain ':', so only the
 * first two separators split. Returns undefined for a member of another shape (never throws).
 */
export function parseSequenceMember(member: string): SequenceEntry | undefined {
  const first = member.indexOf(':');
  const second = first < 0 ? -1 : member.indexOf(':', first + 1);
  if (second < 0) return undefined;
  const msText = member.slice(0, first);
  const type = member.slice(first + 1, second);
  const itemId = member.slice(second + 1);
  const timeMs = Number(msText);
  if (!/^\d+$/.test(msText) || !Number.isSafeInteger(timeMs)) return undefined;
  if (!eventTypes.has(type) || itemId === '') return undefined;
  return { itemId, type: type as EventType, timeMs };
}

/** Sequence entries from the set's members, newest first, well-formed ones only. */
export function toSequence(members: readonly ScoredMember[]): SequenceEntry[] {
  const entries: SequenceEntry[] = [];
  for (const { member } of members) {
    const entry = parseSequenceMember(member);
    if (entry !== undefined) entries.push(entry);
  }
  return entries.sort((a, b) => b.timeMs - a.timeMs);
}

/** Affinities decayed to `nowMs`, best first, from their log-space scores. */
export function toAffinities(members: readonly ScoredMember[], nowMs: number, limit: number): Affinity[] {
  return [...members]
    .sort((a, b) => b.score - a.score)
    .slice(0, limit)
    .map(({ member, score }) => ({ name: member, score: currentCount(score, nowMs, AFFINITY_TAU_MS) }));
}

/**
 * The items in the cart: those added later than they were last removed or bought. The writer keeps
 * adds and removals in two sets (item → latest ms) so the outcome does not depend on the order in
 * which it applied them. Newest first, at most `limit`.
 */
export function liveCart(
  added: readonly ScoredMember[],
  removed: readonly ScoredMember[],
  limit: number,
): TimedItem[] {
  const removedAt = new Map(removed.map(({ member, score }) => [member, score]));
  return added
    .filter(({ member, score }) => score > (removedAt.get(member) ?? -Infinity))
    .sort((a, b) => b.score - a.score)
    .slice(0, limit)
    .map(({ member, score }) => ({ itemId: member, timeMs: score }));
}

/** Union of two sets keeping each member's higher score (times: the latest wins), highest first. */
export function mergeMax(
  a: readonly ScoredMember[],
  b: readonly ScoredMember[],
  limit: number,
): ScoredMember[] {
  const best = new Map<string, number>();
  for (const { member, score } of [...a, ...b])
    best.set(member, Math.max(score, best.get(member) ?? -Infinity));
  return highestFirst(best, limit);
}

/** Union of two log-space sets adding the decayed counts of common members (as the login merge does), highest first. */
export function mergeLog(
  a: readonly ScoredMember[],
  b: readonly ScoredMember[],
  limit: number,
): ScoredMember[] {
  const sum = new Map<string, number>();
  for (const { member, score } of [...a, ...b]) {
    const current = sum.get(member);
    sum.set(member, current === undefined ? score : logAddExp(current, score));
  }
  return highestFirst(sum, limit);
}

function highestFirst(scores: ReadonlyMap<string, number>, limit: number): ScoredMember[] {
  return [...scores]
    .map(([member, score]) => ({ member, score }))
    .sort((x, y) => y.score - x.score)
    .slice(0, limit);
}
