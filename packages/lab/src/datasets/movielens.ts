/**
 * MovieLens 100K: `u.data` (tab-separated `user item rating unix_seconds`) and `u.item`
 * (`|`-separated, Latin-1: id, title, release date, video release date, URL, 19 genre flags).
 * Every rating is an interaction (the microsoft/recommenders protocol treats all as relevant);
 * each user's sequence is in time order, ties kept in file order. The catalog is `u.item`; the
 * genres become item attributes 0..18 in u.genre's order.
 */
import { join } from 'node:path';
import type { InteractionDataset, UserSequence } from '@recstream/models';
import { datasetError } from './dataset-error.js';
import { denseIds } from './dense-ids.js';
import { lines, readDatasetFile } from './read-file.js';

export const MOVIELENS_100K_FILES = { ratings: 'u.data', items: 'u.item' } as const;
export const MOVIELENS_GENRE_COUNT = 19;

const ID = /^\d+$/;

interface Rating {
  readonly item: number;
  readonly timeMs: number;
}

function parseItems(text: string, file: string): { ids: string[]; genres: Int32Array[] } {
  const ids: string[] = [];
  const genres: Int32Array[] = [];
  for (const [line, lineNumber] of lines(text)) {
    const fields = line.split('|');
    if (fields.length !== 5 + MOVIELENS_GENRE_COUNT)
      throw datasetError(
        file,
        `expected ${5 + MOVIELENS_GENRE_COUNT} '|'-separated fields, got ${fields.length}`,
        lineNumber,
      );
    const id = fields[0] ?? '';
    if (!ID.test(id)) throw datasetError(file, `'${id}' is not a numeric item id`, lineNumber);
    const flags = fields.slice(5);
    const itemGenres: number[] = [];
    for (const [genre, flag] of flags.entries()) {
      if (flag === '1') itemGenres.push(genre);
      else if (flag !== '0') throw datasetError(file, `genre flag '${flag}' is not 0 or 1`, lineNumber);
    }
    ids.push(id);
    genres.push(Int32Array.from(itemGenres));
  }
  if (ids.length === 0) throw datasetError(file, 'no items');
  return { ids, genres };
}

/** Reads `u.data` and `u.item` from `dir`. */
export async function loadMovieLens100k(dir: string): Promise<InteractionDataset> {
  const ratingsFile = join(dir, MOVIELENS_100K_FILES.ratings);
  const itemsFile = join(dir, MOVIELENS_100K_FILES.items);
  const [ratingsText, itemsText] = await Promise.all([
    readDatasetFile(ratingsFile, 'utf8'),
    // u.item has accented titles in Latin-1; decoding it as UTF-8 would mangle them.
    readDatasetFile(itemsFile, 'latin1'),
  ]);
  const catalog = parseItems(itemsText, itemsFile);
  const items = denseIds(catalog.ids);
  if (items.ids.length !== catalog.ids.length) throw datasetError(itemsFile, 'an item id appears twice');
  const genresByIndex = new Array<Int32Array>(items.ids.length);
  catalog.ids.forEach((id, row) => {
    genresByIndex[items.indexOf.get(id) ?? -1] = catalog.genres[row] ?? new Int32Array();
  });

  const ratingsByUser = new Map<string, Rating[]>();
  for (const [line, lineNumber] of lines(ratingsText)) {
    const fields = line.trim().split('\t');
    const [user, item, rating, seconds] = fields;
    if (
      fields.length !== 4 ||
      user === undefined ||
      item === undefined ||
      rating === undefined ||
      seconds === undefined
    )
      throw datasetError(ratingsFile, 'expected tab-separated `user item rating unix_seconds`', lineNumber);
    if (!ID.test(user)) throw datasetError(ratingsFile, `'${user}' is not a numeric user id`, lineNumber);
    const itemIndex = items.indexOf.get(item);
    if (itemIndex === undefined)
      throw datasetError(ratingsFile, `item ${item} is not in ${MOVIELENS_100K_FILES.items}`, lineNumber);
    if (!ID.test(seconds)) throw datasetError(ratingsFile, `'${seconds}' is not a unix time`, lineNumber);
    if (!/^[1-5]$/.test(rating))
      throw datasetError(ratingsFile, `rating '${rating}' is not 1..5`, lineNumber);
    let userRatings = ratingsByUser.get(user);
    if (userRatings === undefined) ratingsByUser.set(user, (userRatings = []));
    userRatings.push({ item: itemIndex, timeMs: Number(seconds) * 1000 });
  }
  if (ratingsByUser.size === 0) throw datasetError(ratingsFile, 'no ratings');

  const users = denseIds(ratingsByUser.keys());
  const sequences: UserSequence[] = users.ids.map((userId, user) => {
    // Array.prototype.sort is stable: equal times keep file order.
    const ratings = (ratingsByUser.get(userId) ?? []).sort((a, b) => a.timeMs - b.timeMs);
    return {
      user,
      items: Int32Array.from(ratings, (rating) => rating.item),
      times: Float64Array.from(ratings, (rating) => rating.timeMs),
    };
  });

  return {
    name: 'ml-100k',
    numUsers: users.ids.length,
    numItems: items.ids.length,
    itemIds: items.ids,
    userIds: users.ids,
    sequences,
    itemAttributes: genresByIndex,
    numAttributes: MOVIELENS_GENRE_COUNT,
  };
}
