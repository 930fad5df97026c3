/**
 * How search text is cut into words, the same for the catalog and for queries, and how a query is
 * normalised the way the search log (ClickHouse `search_queries`) normalises it, so a suggestion
 * and the query a shopper typed compare equal.
 */

/** Lower case, runs of whitespace collapsed to one space, trimmed (as in migration 0008). */
export function normaliseQuery(text: string): string {
  return text.toLowerCase().replace(/\s+/gu, ' ').trim();
}

/**
 * Words: runs of letters and digits in any script, lower-cased. Punctuation separates words, so
 * quotes, operators and markup in a query are ignored rather than interpreted.
 */
export function tokenize(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}
