/**
 * What every dataset reader produces, and the pieces they share: streaming line reading, clear
 * errors for missing files and malformed rows, deterministic ids, minimal catalog items.
 *
 * Readers stream the files line by line and keep one compact row per interaction, because
 * replaying in time order needs a sort (the files are ordered by session or user, not by time).
 * Events are built lazily while iterating.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { createInterface } from 'node:readline';
import type { CatalogItem, ClickstreamEvent } from '@recstream/schemas';
import type { PacedEvent } from '../pump/traffic.pump.js';

export const DATASET_NAMES = ['yoochoose', 'diginetica', 'ml-100k', 'amazon-beauty'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

export interface ReplayEvent extends PacedEvent {
  readonly originalTsMs: number;
}

export interface ReplayDataset {
  readonly name: DatasetName;
  /** The main file read. */
  readonly file: string;
  /** Interactions (rows) replayed, after `limit`. */
  readonly rows: number;
  /** Minimal catalog items for every item the replayed rows reference, to send first. */
  readonly items: readonly CatalogItem[];
  /** Events in original time order (ties in file order). */
  events(): Generator<ReplayEvent>;
}

export interface ReaderOptions {
  /** Replay only the first `limit` interactions in time order. */
  readonly limit?: number | undefined;
  /** `updated_at` of the catalog items. */
  readonly now: Date;
}

export class DatasetMissingError extends Error {
  readonly code = 'REC_ERR_DATASET_MISSING';

  constructor(
    readonly dataset: string,
    readonly path: string,
  ) {
    super(
      `dataset ${dataset}: ${path} not found. The real datasets live beside the repository in ../shared/datasets ` +
        '(see /work/shared/datasets/README.md); pass --path <folder or file> to read them from elsewhere.',
    );
    this.name = 'DatasetMissingError';
  }
}

export class DatasetFormatError extends Error {
  readonly code = 'REC_ERR_DATASET_FORMAT';

  constructor(file: string, line: number, reason: string, text: string) {
    super(`${file}:${line}: ${reason}: ${JSON.stringify(text.slice(0, 120))}`);
    this.name = 'DatasetFormatError';
  }
}

/** Throws a `DatasetMissingError` unless `path` is a readable file. */
export async function requireFile(dataset: string, path: string): Promise<void> {
  try {
    if ((await stat(path)).isFile()) return;
  } catch {
    // reported below
  }
  throw new DatasetMissingError(dataset, path);
}

export interface NumberedLine {
  readonly text: string;
  /** 1-based line number in the file, header included. */
  readonly line: number;
}

/** Streams a file's lines. Blank lines (a trailing newline) are skipped; all others are yielded. */
export async function* readLines(
  file: string,
  encoding: BufferEncoding = 'utf8',
): AsyncGenerator<NumberedLine> {
  const lines = createInterface({ input: createReadStream(file, { encoding }), crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line += 1;
    if (text.trim() === '') continue;
    yield { text, line };
  }
}

/**
 * The file's name made safe for ids, without a .txt/.csv/.tsv extension:
 * `yoochoose-clicks-100k_train_full`, `sample_train-item-views`, `u.data`, `Beauty`.
 */
export function fileTag(file: string): string {
  const name = basename(file);
  const ext = extname(name).toLowerCase();
  const stem = ['.txt', '.csv', '.tsv'].includes(ext) ? name.slice(0, -ext.length) : name;
  return stem.replace(/[^A-Za-z0-9_.-]/g, '_');
}

/** Parses a non-negative integer field, or reports the row. */
export function intField(
  value: string | undefined,
  file: string,
  line: number,
  text: string,
  name: string,
): number {
  const n = Number(value);
  if (value === undefined || value.trim() === '' || !Number.isInteger(n) || n < 0) {
    throw new DatasetFormatError(file, line, `${name} is not a non-negative integer`, text);
  }
  return n;
}

export function numberField(
  value: string | undefined,
  file: string,
  line: number,
  text: string,
  name: string,
): number {
  const n = Number(value);
  if (value === undefined || value.trim() === '' || !Number.isFinite(n)) {
    throw new DatasetFormatError(file, line, `${name} is not a number`, text);
  }
  return n;
}

/** Sorts rows by time, ties in file order, and keeps the first `limit`. */
export function timeOrdered<T extends { readonly ts: number; readonly seq: number }>(
  rows: T[],
  limit: number | undefined,
): T[] {
  rows.sort((a, b) => a.ts - b.ts || a.seq - b.seq);
  if (limit !== undefined) rows.length = Math.min(rows.length, Math.max(0, Math.floor(limit)));
  return rows;
}

export interface MinimalItemFields {
  readonly title?: string | undefined;
  readonly categoryPath?: readonly string[] | undefined;
  readonly url?: string | undefined;
  readonly attributes?: CatalogItem['attributes'];
}

/** A catalog item with what the dataset knows: price 0 in USD, in stock. */
export function minimalItem(
  itemId: string,
  rawId: string,
  now: Date,
  fields: MinimalItemFields = {},
): CatalogItem {
  const title = fields.title?.trim();
  return {
    item_id: itemId,
    title: title === undefined || title === '' ? `Item ${rawId}` : title.slice(0, 512),
    category_path: (fields.categoryPath ?? []).slice(0, 8).map((c) => c.slice(0, 128)),
    price: 0,
    currency: 'USD',
    availability: 'in_stock',
    ...(fields.url === undefined || fields.url === '' ? {} : { url: fields.url.slice(0, 2048) }),
    ...(fields.attributes === undefined ? {} : { attributes: fields.attributes }),
    updated_at: now.toISOString(),
  };
}

/** The `properties` every replayed event carries. */
export function replayProperties(
  dataset: DatasetName,
  originalTsMs: number,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { dataset, original_ts: new Date(originalTsMs).toISOString(), ...extra };
}

export type ReplayView = Extract<ClickstreamEvent, { type: 'view' }>;
