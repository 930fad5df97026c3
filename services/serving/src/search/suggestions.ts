/**
 * Prefix completion over a weighted list of texts (past queries, or catalog title words): the
 * texts are sorted once, so the ones starting with a prefix are found by binary search and only
 * they are ranked by weight.
 */
import type { SuggestionSource } from '@recstream/schemas';

export interface Suggestion {
  readonly text: string;
  readonly weight: number;
}

export class SuggestionList {
  private readonly sorted: readonly Suggestion[];

  constructor(entries: Iterable<Suggestion>) {
    this.sorted = [...entries].sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
  }

  get size(): number {
    return this.sorted.length;
  }

  /** Texts starting with `prefix` (other than `prefix` itself), heaviest first, then alphabetical. */
  complete(prefix: string, k: number): Suggestion[] {
    let low = 0;
    let high = this.sorted.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.sorted[mid] as Suggestion).text < prefix) low = mid + 1;
      else high = mid;
    }
    const matches: Suggestion[] = [];
    for (let i = low; i < this.sorted.length; i += 1) {
      const entry = this.sorted[i] as Suggestion;
      if (!entry.text.startsWith(prefix)) break;
      if (entry.text !== prefix) matches.push(entry);
    }
    return matches.sort((a, b) => b.weight - a.weight || (a.text < b.text ? -1 : 1)).slice(0, k);
  }
}

export interface Completions {
  readonly source: SuggestionSource;
  readonly suggestions: Suggestion[];
}

/**
 * Completions of a normalised prefix: from the search log when it has any, else the catalog's
 * title words completing the prefix's last word ("red li" → "red lipstick").
 */
export function complete(
  prefix: string,
  k: number,
  searchLog: SuggestionList,
  titleWords: SuggestionList,
): Completions {
  if (searchLog.size > 0) return { source: 'search_log', suggestions: searchLog.complete(prefix, k) };
  const cut = prefix.lastIndexOf(' ');
  const head = prefix.slice(0, cut + 1);
  const word = prefix.slice(cut + 1);
  const suggestions =
    word === ''
      ? []
      : titleWords.complete(word, k).map((s) => ({ text: `${head}${s.text}`, weight: s.weight }));
  return { source: 'catalog', suggestions };
}
