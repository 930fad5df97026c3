/**
 * Amazon Beauty (S3-Rec preprocessing): `Beauty.txt` has one user per line, `user item item ...`
 * in chronological order, without timestamps; `Beauty_item2attributes.json` maps item id to
 * attribute ids (brand and categories, ids only).
 *
 * Synthetic time, documented so it can be reproduced: the user on line L starts at
 * 2014-01-01T00:00Z + (L - 1) minutes and their k-th item (k from 0) comes k days later. Only the
 * order per user is real; the interleaving of users is made up.
 *
 * Each interaction becomes a `view` by user `ab-<user>` of item `ab-<item>`, no session; event id
 * `ab-Beauty-<line>-<k+1>`. Items: `Item <id>`, category_path = the attribute ids as `attr-<id>`
 * (their names are not published, so they are opaque labels, not a real hierarchy), and
 * attributes.attribute_ids with all of them.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  readInteractions,
  replayDataset,
  replayProperties,
  requireFile,
  DatasetFormatError,
  type ReaderOptions,
  type ReplayDataset,
} from './replay.dataset.js';

export const AMAZON_BEAUTY_FILE = 'Beauty.txt';
export const AMAZON_BEAUTY_ATTRIBUTES_FILE = 'Beauty_item2attributes.json';
export const SYNTHETIC_START_MS = Date.UTC(2014, 0, 1);
export const USER_OFFSET_MS = 60_000;
export const ITEM_GAP_MS = 24 * 60 * 60 * 1000;

export async function readItemAttributes(file: string): Promise<Map<number, number[]>> {
  await requireFile('amazon-beauty', file);
  const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new DatasetFormatError(file, 1, 'expected a JSON object of item id -> attribute ids', '');
  }
  const attributes = new Map<number, number[]>();
  for (const [id, value] of Object.entries(parsed)) {
    if (!Array.isArray(value) || !value.every((v) => Number.isInteger(v))) {
      throw new DatasetFormatError(
        file,
        1,
        `attributes of item ${id} are not a list of integer ids`,
        JSON.stringify(value),
      );
    }
    attributes.set(Number(id), value as number[]);
  }
  return attributes;
}

/** `file` is Beauty.txt; the attributes file is read from the same folder. */
export async function readAmazonBeauty(file: string, options: ReaderOptions): Promise<ReplayDataset> {
  await requireFile('amazon-beauty', file);
  const attributes = await readItemAttributes(join(dirname(file), AMAZON_BEAUTY_ATTRIBUTES_FILE));
  const format = {
    dataset: 'amazon-beauty',
    split: (text: string) => text.trim().split(/\s+/),
    fields: { min: 2 },
    fieldsError: 'expected a user id and at least one item',
  } as const;
  const interactions = await readInteractions(file, format, options.limit, function* (row) {
    const user = row.int(0, 'user id');
    const start = SYNTHETIC_START_MS + (row.line - 1) * USER_OFFSET_MS;
    for (let k = 1; k < row.fields.length; k += 1) {
      yield { position: k, user, item: row.int(k, 'item id'), ts: start + (k - 1) * ITEM_GAP_MS };
    }
  });
  return replayDataset({
    name: 'amazon-beauty',
    prefix: 'ab',
    file,
    now: options.now,
    interactions,
    itemFields: (id) => {
      const attrs = attributes.get(id) ?? [];
      return {
        categoryPath: attrs.map((a) => `attr-${a}`),
        attributes: { attribute_ids: attrs.map(String) },
      };
    },
    events: (i, eventId) => [
      {
        event_id: `${eventId}-${i.position}`,
        type: 'view',
        user_id: `ab-${i.user}`,
        item_id: `ab-${i.item}`,
        properties: replayProperties('amazon-beauty', i.ts),
      },
    ],
  });
}
