/**
 * Amazon "Beauty" (2014, 5-core) as preprocessed for S3-Rec: `Beauty.txt` has one user per line,
 * `user_id item_1 item_2 ...` in chronological order, and `Beauty_item2attributes.json` maps an
 * item id to its attribute ids (brand and categories). There are no timestamps: order is all the
 * protocol uses, so sequences carry no `times`.
 */
import { join } from 'node:path';
import type { InteractionDataset, UserSequence } from '@recstream/models';
import { datasetError } from './dataset-error.js';
import { denseIds } from './dense-ids.js';
import { lines, readDatasetFile } from './read-file.js';

export const AMAZON_BEAUTY_FILES = {
  interactions: 'Beauty.txt',
  attributes: 'Beauty_item2attributes.json',
} as const;

const ID = /^\d+$/;

interface RawSequence {
  readonly user: string;
  readonly items: readonly string[];
}

function parseInteractions(text: string, file: string): RawSequence[] {
  const sequences: RawSequence[] = [];
  const seen = new Set<string>();
  for (const [line, lineNumber] of lines(text)) {
    const fields = line.trim().split(/\s+/);
    const [user, ...items] = fields;
    if (user === undefined || items.length === 0)
      throw datasetError(file, 'expected `user item item ...`', lineNumber);
    const bad = fields.find((field) => !ID.test(field));
    if (bad !== undefined) throw datasetError(file, `'${bad}' is not a numeric id`, lineNumber);
    if (seen.has(user)) throw datasetError(file, `user ${user} appears on more than one line`, lineNumber);
    seen.add(user);
    sequences.push({ user, items });
  }
  if (sequences.length === 0) throw datasetError(file, 'no interactions');
  return sequences;
}

function parseAttributes(text: string, file: string): Map<string, readonly string[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw datasetError(file, 'is not valid JSON', undefined, error);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw datasetError(file, 'expected an object of item id → attribute id list');
  const attributes = new Map<string, readonly string[]>();
  for (const [item, value] of Object.entries(parsed)) {
    if (!Array.isArray(value) || !value.every((id) => Number.isInteger(id)))
      throw datasetError(file, `attributes of item ${item} are not a list of integer ids`);
    attributes.set(item, (value as number[]).map(String));
  }
  return attributes;
}

/** Reads `Beauty.txt` and `Beauty_item2attributes.json` from `dir`. Items and attributes get dense indices. */
export async function loadAmazonBeauty(dir: string): Promise<InteractionDataset> {
  const interactionsFile = join(dir, AMAZON_BEAUTY_FILES.interactions);
  const attributesFile = join(dir, AMAZON_BEAUTY_FILES.attributes);
  const [interactionsText, attributesText] = await Promise.all([
    readDatasetFile(interactionsFile, 'utf8'),
    readDatasetFile(attributesFile, 'utf8'),
  ]);
  const raw = parseInteractions(interactionsText, interactionsFile);
  const rawAttributes = parseAttributes(attributesText, attributesFile);

  const users = denseIds(raw.map((sequence) => sequence.user));
  const items = denseIds(raw.flatMap((sequence) => sequence.items));
  // Attributes of items that never occur in the interactions are not part of this catalog.
  const attributeIds = denseIds(items.ids.flatMap((item) => rawAttributes.get(item) ?? []));

  const sequences: UserSequence[] = raw
    .map((sequence) => ({
      user: users.indexOf.get(sequence.user) ?? -1,
      items: Int32Array.from(sequence.items, (item) => items.indexOf.get(item) ?? -1),
    }))
    .sort((a, b) => a.user - b.user);
  const itemAttributes = items.ids.map((item) =>
    // Sorted and de-duplicated: similarity code relies on it.
    Int32Array.from(
      new Set((rawAttributes.get(item) ?? []).map((attribute) => attributeIds.indexOf.get(attribute) ?? -1)),
    ).sort(),
  );

  return {
    name: 'amazon-beauty',
    numUsers: users.ids.length,
    numItems: items.ids.length,
    itemIds: items.ids,
    userIds: users.ids,
    sequences,
    itemAttributes,
    numAttributes: attributeIds.ids.length,
  };
}
