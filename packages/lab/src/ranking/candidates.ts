/**
 * Retrieval for the two-stage system: a fixed-size candidate list per shopper, merged from several
 * scored sources. Each source but the first contributes its top `take` items; the first (the
 * strongest, e.g. the sequence model) fills the list up to `total`. Already-known items are never
 * candidates. Every candidate gets its best rank over the sources (the retrieval-rank feature).
 */
import { ERROR_CODES, PermanentError } from '@recstream/errors';
import { selectTopK } from '@recstream/models';

export interface CandidateSource {
  /** One score per item (a `scoreAll` row). */
  readonly scores: ArrayLike<number>;
  /** Items taken from this source; ignored for the first source, which fills up to `total`. */
  readonly take: number;
}

export interface CandidateList {
  /** `total` distinct items (fewer only when fewer are unmasked). */
  readonly items: Int32Array;
  /** 0-based best rank of each item over the sources that proposed it. */
  readonly ranks: Int32Array;
}

/**
 * Merges `sources` into one list of `total` items, excluding items with `masked[item] !== 0`.
 * Order: the other sources' picks first (so they are never crowded out), then the first source's
 * best items until the list is full.
 */
export function mergeCandidates(
  sources: readonly CandidateSource[],
  total: number,
  masked?: Uint8Array,
): CandidateList {
  const [primary, ...others] = sources;
  if (primary === undefined) throw new PermanentError(ERROR_CODES.invalidInput, 'no candidate source');
  if (!Number.isInteger(total) || total < 1)
    throw new PermanentError(
      ERROR_CODES.invalidInput,
      `candidate total must be a positive integer, got ${total}`,
    );
  const reserved = others.reduce((sum, source) => sum + Math.max(source.take, 0), 0);
  if (reserved > total)
    throw new PermanentError(
      ERROR_CODES.invalidInput,
      `the secondary sources take ${reserved} candidates, more than the ${total} in a list`,
    );
  const rankOf = new Map<number, number>();
  const propose = (item: number, rank: number): void => {
    rankOf.set(item, Math.min(rank, rankOf.get(item) ?? rank));
  };
  for (const source of others) {
    if (source.take <= 0) continue;
    for (const [rank, item] of selectTopK(source.scores, source.take, masked).entries()) propose(item, rank);
  }
  const primaryTop = selectTopK(primary.scores, total, masked);
  // The first source's ranks count for items the others proposed too.
  for (const [rank, item] of primaryTop.entries()) if (rankOf.has(item)) propose(item, rank);
  for (const [rank, item] of primaryTop.entries()) {
    if (rankOf.size >= total) break;
    propose(item, rank);
  }
  const items = Int32Array.from(rankOf.keys());
  return { items, ranks: Int32Array.from(items, (item) => rankOf.get(item) ?? 0) };
}
