/**
 * MovieLens 100K: `u.data` is tab-separated `user item rating unix_ts` (not in time order);
 * `u.item` (Latin-1, `|`-separated) has id, title, release date, video date, IMDb URL and 19 genre
 * flags.
 *
 * Each rating becomes a `view` by user `ml-<user>` of item `ml-<item>` with properties.rating;
 * a rating at or above `cartMinRating` (default 4; undefined for none) also becomes an
 * `add_to_cart` right after it (quantity 1, price 0 USD), so the pipeline sees a positive signal.
 * session_id = `ml-<user>-<YYYYMMDD>` (one session per user and UTC day). Event ids
 * `ml-u.data-<line>` and `ml-u.data-<line>-cart`. Items carry the title and the genres as
 * category_path.
 */
import { dirname, join } from 'node:path';
import type { ClickstreamEvent } from '@recstream/schemas';
import {
  fileTag,
  intField,
  minimalItem,
  readLines,
  replayProperties,
  requireFile,
  timeOrdered,
  DatasetFormatError,
  type MinimalItemFields,
  type ReaderOptions,
  type ReplayDataset,
  type ReplayEvent,
} from './replay.dataset.js';

export const MOVIELENS_RATINGS_FILE = 'u.data';
export const MOVIELENS_ITEMS_FILE = 'u.item';
export const DEFAULT_CART_MIN_RATING = 4;

/** Genre flag order of u.item (as listed in u.genre and the dataset README). */
export const MOVIELENS_GENRES = [
  'unknown',
  'Action',
  'Adventure',
  'Animation',
  "Children's",
  'Comedy',
  'Crime',
  'Documentary',
  'Drama',
  'Fantasy',
  'Film-Noir',
  'Horror',
  'Musical',
  'Mystery',
  'Romance',
  'Sci-Fi',
  'Thriller',
  'War',
  'Western',
] as const;

export interface MovieLensOptions extends ReaderOptions {
  /** Ratings at or above this also produce an add_to_cart; undefined: views only. */
  readonly cartMinRating?: number | undefined;
}

interface Rating {
  readonly seq: number;
  readonly line: number;
  readonly user: number;
  readonly item: number;
  readonly rating: number;
  readonly ts: number;
}

/** u.item rows by item id. */
export async function readMovieLensItems(file: string): Promise<Map<number, MinimalItemFields>> {
  await requireFile('ml-100k', file);
  const items = new Map<number, MinimalItemFields>();
  for await (const { text, line } of readLines(file, 'latin1')) {
    const fields = text.split('|');
    if (fields.length !== 5 + MOVIELENS_GENRES.length) {
      throw new DatasetFormatError(
        file,
        line,
        `expected ${5 + MOVIELENS_GENRES.length} |-separated fields`,
        text,
      );
    }
    const id = intField(fields[0], file, line, text, 'movie id');
    const genres = MOVIELENS_GENRES.filter((_g, i) => fields[5 + i] === '1');
    const release = fields[2] ?? '';
    items.set(id, {
      title: fields[1],
      categoryPath: genres,
      url: fields[4],
      attributes: { genres: [...genres], ...(release === '' ? {} : { release_date: release }) },
    });
  }
  return items;
}

function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10).replace(/-/g, '');
}

/** `file` is u.data; u.item is read from the same folder. */
export async function readMovieLens(file: string, options: MovieLensOptions): Promise<ReplayDataset> {
  await requireFile('ml-100k', file);
  const catalog = await readMovieLensItems(join(dirname(file), MOVIELENS_ITEMS_FILE));
  const rows: Rating[] = [];
  for await (const { text, line } of readLines(file)) {
    const fields = text.split('\t');
    if (fields.length !== 4)
      throw new DatasetFormatError(file, line, 'expected 4 tab-separated fields', text);
    rows.push({
      seq: rows.length,
      line,
      user: intField(fields[0], file, line, text, 'user id'),
      item: intField(fields[1], file, line, text, 'item id'),
      rating: intField(fields[2], file, line, text, 'rating'),
      ts: intField(fields[3], file, line, text, 'timestamp') * 1000,
    });
  }
  const ratings = timeOrdered(rows, options.limit);
  const tag = fileTag(file);
  const cartMin = options.cartMinRating;
  const itemIds = [...new Set(ratings.map((r) => r.item))];
  return {
    name: 'ml-100k',
    file,
    rows: ratings.length,
    items: itemIds.map((id) => minimalItem(`ml-${id}`, String(id), options.now, catalog.get(id))),
    *events(): Generator<ReplayEvent> {
      for (const r of ratings) {
        const base = {
          user_id: `ml-${r.user}`,
          session_id: `ml-${r.user}-${utcDay(r.ts)}`,
          item_id: `ml-${r.item}`,
          properties: replayProperties('ml-100k', r.ts, { rating: r.rating }),
        };
        const view: ClickstreamEvent = { ...base, event_id: `ml-${tag}-${r.line}`, type: 'view' };
        yield { event: view, originalTsMs: r.ts };
        if (cartMin !== undefined && r.rating >= cartMin) {
          const cart: ClickstreamEvent = {
            ...base,
            event_id: `ml-${tag}-${r.line}-cart`,
            type: 'add_to_cart',
            quantity: 1,
            price: 0,
            currency: 'USD',
          };
          yield { event: cart, originalTsMs: r.ts };
        }
      }
    },
  };
}
