/**
 * Merchandising rules, applied after ranking: boost (scale the score of matching items), bury (move
 * matching items after all others), a per-brand cap, and pins (items placed first, in order). They
 * come from the service configuration (standing rules) and from the request (a page's own); both
 * apply, the request's pins first and its brand cap instead of the service's.
 */
import { byScoreThenId } from './blend.js';
import { withScore, type CatalogCandidate } from './types.js';

/** Which items a rule is about; every field given must match (a rule usually gives one). */
export interface ItemMatcher {
  readonly itemIds?: readonly string[] | undefined;
  readonly brands?: readonly string[] | undefined;
  /** Exact category paths ('Beauty > Makeup > Lips'). */
  readonly categories?: readonly string[] | undefined;
  /** Category path prefix, level by level. */
  readonly categoryPrefix?: readonly string[] | undefined;
}

export interface BoostRule {
  readonly match: ItemMatcher;
  /** Multiplies the score: above 1 raises, between 0 and 1 demotes. */
  readonly factor: number;
}

export interface BusinessRules {
  readonly pin?: readonly string[] | undefined;
  readonly boost?: readonly BoostRule[] | undefined;
  readonly bury?: readonly ItemMatcher[] | undefined;
  readonly brandCap?: number | undefined;
}

/** The request's rules on top of the service's. */
export function combineRules(service: BusinessRules, request: BusinessRules): BusinessRules {
  return {
    pin: [...new Set([...(request.pin ?? []), ...(service.pin ?? [])])],
    boost: [...(service.boost ?? []), ...(request.boost ?? [])],
    bury: [...(service.bury ?? []), ...(request.bury ?? [])],
    brandCap: request.brandCap ?? service.brandCap,
  };
}

export function matches(matcher: ItemMatcher, candidate: CatalogCandidate): boolean {
  const { meta } = candidate;
  if (matcher.itemIds !== undefined && !matcher.itemIds.includes(candidate.itemId)) return false;
  if (matcher.brands !== undefined && !matcher.brands.includes(meta.brand)) return false;
  if (matcher.categories !== undefined && !matcher.categories.includes(meta.category)) return false;
  const prefix = matcher.categoryPrefix;
  if (prefix !== undefined && prefix.some((level, i) => meta.categoryPath[i] !== level)) return false;
  return true;
}

/**
 * Boosts applied and the list re-sorted; buried items split off (in their ranked order) to be
 * appended after everything else — they are still shown when nothing else is left.
 */
export function applyScoreRules(
  ranked: readonly CatalogCandidate[],
  rules: BusinessRules,
): { ranked: CatalogCandidate[]; buried: CatalogCandidate[] } {
  const kept: CatalogCandidate[] = [];
  const buried: CatalogCandidate[] = [];
  for (const candidate of ranked) {
    if ((rules.bury ?? []).some((m) => matches(m, candidate))) {
      buried.push(candidate);
      continue;
    }
    const factor = (rules.boost ?? []).reduce(
      (f, rule) => (matches(rule.match, candidate) ? f * rule.factor : f),
      1,
    );
    kept.push(factor === 1 ? candidate : withScore(candidate, candidate.score * factor));
  }
  return { ranked: kept.sort(byScoreThenId), buried };
}

/** At most `cap` items per brand, the best ones; items without a brand are not capped together. */
export function capPerBrand(list: readonly CatalogCandidate[], cap: number | undefined): CatalogCandidate[] {
  if (cap === undefined) return [...list];
  const counts = new Map<string, number>();
  return list.filter(({ meta }) => {
    if (meta.brand === '') return true;
    const count = counts.get(meta.brand) ?? 0;
    counts.set(meta.brand, count + 1);
    return count < cap;
  });
}

/** The pinned items first, in the order given, then the rest without them. */
export function placePins(
  list: readonly CatalogCandidate[],
  pinned: readonly CatalogCandidate[],
): CatalogCandidate[] {
  const pinnedIds = new Set(pinned.map((c) => c.itemId));
  return [...pinned, ...list.filter((c) => !pinnedIds.has(c.itemId))];
}
