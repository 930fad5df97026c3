/**
 * One immutable snapshot of the catalog as a full-text index (MiniSearch: BM25 over title, brand,
 * category path and the opening of the description, with per-field boosts). Refreshes build a new
 * snapshot and swap it in, so a search never sees a half-built index.
 */
import MiniSearch from 'minisearch';
import type { ItemMeta } from '@recstream/features';
import { tokenize } from './search-text.js';
import { SuggestionList } from './suggestions.js';

/** A title word counts most, then the brand, then the category path, then the description. */
export const FIELD_BOOSTS = { title: 3, brand: 2, category: 1, description: 0.5 } as const;

/**
 * `strict`: every query word must match (the last one may be unfinished: prefix), with one typo
 * allowed in words of 5 letters or more. `relaxed` (for queries without strict matches): any word
 * may match, the first three with up to a third of their letters wrong (two at most).
 */
export type MatchMode = 'strict' | 'relaxed';

export interface SearchHit {
  readonly itemId: string;
  /** BM25 with field boosts; comparable within one search only. */
  readonly relevance: number;
}

interface IndexedDoc {
  readonly id: string;
  readonly title: string;
  readonly brand: string;
  readonly category: string;
  readonly description: string;
}

/**
 * Bounds on a search's work, which runs on the event loop every request shares. A fuzzy term is
 * a walk of the vocabulary's radix tree within its edit distance: about 0.4 ms at distance 1,
 * 17 ms at 2 and 110 ms at 3 over a 50k-item catalog (2026-12-07, this 2-core machine), so a
 * 200-character query of twenty nonsense words took 4.1 s of CPU in relaxed mode. Only the first
 * `MAX_QUERY_TERMS` words count, and only the first `MAX_FUZZY_TERMS` are matched with typos.
 */
export const MAX_QUERY_TERMS = 8;
export const MAX_FUZZY_TERMS = 3;

const SEARCH_OPTIONS = {
  strict: {
    combineWith: 'AND',
    // A one-letter prefix expands to a large share of the vocabulary: worth nothing, costly.
    prefix: (term: string, index: number, terms: string[]) => index === terms.length - 1 && term.length >= 2,
    fuzzy: (term: string) => (term.length >= 5 ? 1 : false),
  },
  relaxed: {
    combineWith: 'OR',
    prefix: (term: string) => term.length >= 2,
    fuzzy: (term: string, index: number) => (term.length >= 3 && index < MAX_FUZZY_TERMS ? 0.34 : false),
    maxFuzzy: 2,
  },
} as const;

export class CatalogIndex {
  private constructor(
    private readonly search: MiniSearch<IndexedDoc>,
    private readonly items: ReadonlyMap<string, ItemMeta>,
    /** Title words weighted by how many items have them: suggestions while the search log is empty. */
    readonly titleWords: SuggestionList,
    readonly builtAtMs: number,
  ) {}

  static empty(): CatalogIndex {
    return new CatalogIndex(newMiniSearch(), new Map(), new SuggestionList([]), 0);
  }

  /** Builds the index in chunks, yielding to the event loop between them (requests keep flowing). */
  static async build(items: readonly ItemMeta[], nowMs: number): Promise<CatalogIndex> {
    const search = newMiniSearch();
    const byId = new Map<string, ItemMeta>();
    const titleTerms = new Map<string, number>();
    const docs: IndexedDoc[] = [];
    for (const item of items) {
      if (byId.has(item.itemId)) continue;
      byId.set(item.itemId, item);
      docs.push({
        id: item.itemId,
        title: item.title,
        brand: item.brand,
        category: item.category,
        description: item.description ?? '',
      });
      for (const term of new Set(tokenize(item.title))) {
        if (term.length >= 3 && !/^\d+$/u.test(term)) titleTerms.set(term, (titleTerms.get(term) ?? 0) + 1);
      }
    }
    // Small chunks: each one holds the event loop (requests wait behind it) for a few milliseconds only.
    await search.addAllAsync(docs, { chunkSize: 200 });
    const titleWords = new SuggestionList([...titleTerms].map(([text, weight]) => ({ text, weight })));
    return new CatalogIndex(search, byId, titleWords, nowMs);
  }

  get size(): number {
    return this.items.size;
  }

  meta(itemId: string): ItemMeta | undefined {
    return this.items.get(itemId);
  }

  /** Matching items, best first. A query without words matches nothing. */
  find(query: string, mode: MatchMode): SearchHit[] {
    const terms = [...new Set(tokenize(query))].slice(0, MAX_QUERY_TERMS);
    if (terms.length === 0) return [];
    return this.search
      .search(terms.join(' '), SEARCH_OPTIONS[mode])
      .map((result) => ({ itemId: result.id as string, relevance: result.score }));
  }
}

function newMiniSearch(): MiniSearch<IndexedDoc> {
  return new MiniSearch<IndexedDoc>({
    fields: ['title', 'brand', 'category', 'description'],
    idField: 'id',
    tokenize,
    processTerm: (term) => term.toLowerCase(),
    searchOptions: { boost: { ...FIELD_BOOSTS } },
  });
}
