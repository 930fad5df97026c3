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
  readInteractions,
  readTable,
  replayDataset,
  replayProperties,
  separatedFields,
  requireFile,
  type MinimalItemFields,
  type ReaderOptions,
  type ReplayDataset,
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

/** u.item rows by item id. */
export async function readMovieLensItems(file: string): Promise<Map<number, MinimalItemFields>> {
  const items = new Map<number, MinimalItemFields>();
  const format = separatedFields('ml-100k', '|', '|', 5 + MOVIELENS_GENRES.length, { encoding: 'latin1' });
  for await (const row of readTable(file, format)) {
    const { fields } = row;
    const id = row.int(0, 'movie id');
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
  const format = separatedFields('ml-100k', '\t', 'tab', 4);
  const ratings = await readInteractions(file, format, options.limit, (row) => [
    {
      user: row.int(0, 'user id'),
      item: row.int(1, 'item id'),
      rating: row.int(2, 'rating'),
      ts: row.int(3, 'timestamp') * 1000,
    },
  ]);
  const cartMin = options.cartMinRating;
  return replayDataset({
    name: 'ml-100k',
    prefix: 'ml',
    file,
    now: options.now,
    interactions: ratings,
    itemFields: (id) => catalog.get(id),
    *events(r, eventId): Generator<ClickstreamEvent> {
      const base = {
        user_id: `ml-${r.user}`,
        session_id: `ml-${r.user}-${utcDay(r.ts)}`,
        item_id: `ml-${r.item}`,
        properties: replayProperties('ml-100k', r.ts, { rating: r.rating }),
      };
      yield { ...base, event_id: eventId, type: 'view' };
      if (cartMin !== undefined && r.rating >= cartMin) {
        yield {
          ...base,
          event_id: `${eventId}-cart`,
          type: 'add_to_cart',
          quantity: 1,
          price: 0,
          currency: 'USD',
        };
      }
    },
  });
}
