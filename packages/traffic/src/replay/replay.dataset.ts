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

/** How a dataset file is laid out: one record a line, split into fields. */
export interface TableFormat {
  readonly dataset: DatasetName;
  readonly split: (text: string) => string[];
  /** The first field of a header line, skipped when it is line 1. */
  readonly header?: string;
  /** The fields a row has: exactly this many, or at least `min`. */
  readonly fields: number | { readonly min: number };
  /** What a row with another number of fields is told, e.g. `expected 3 tab-separated fields`. */
  readonly fieldsError: string;
  readonly encoding?: BufferEncoding;
}

/** One row of a dataset file; its parsers report the row when a field is bad. */
export class TableRow {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly text: string,
    readonly fields: readonly string[],
  ) {}

  /** A non-negative integer. */
  int(index: number, name: string): number {
    return this.parsed(index, name, (n) => Number.isInteger(n) && n >= 0, 'a non-negative integer');
  }

  number(index: number, name: string): number {
    return this.parsed(index, name, Number.isFinite, 'a number');
  }

  fail(reason: string): never {
    throw new DatasetFormatError(this.file, this.line, reason, this.text);
  }

  private parsed(index: number, name: string, valid: (n: number) => boolean, expected: string): number {
    const value = this.fields[index];
    const n = Number(value);
    if (value === undefined || value.trim() === '' || !valid(n)) this.fail(`${name} is not ${expected}`);
    return n;
  }
}

/** `count` fields a line, separated by `separator` (called `separatorName` in errors). */
export function separatedFields(
  dataset: DatasetName,
  separator: string,
  separatorName: string,
  count: number,
  layout: Pick<TableFormat, 'header' | 'encoding'> = {},
): TableFormat {
  return {
    dataset,
    split: (text) => text.split(separator),
    fields: count,
    fieldsError: `expected ${count} ${separatorName}-separated fields`,
    ...layout,
  };
}

/**
 * Streams a dataset file's rows. A missing file is a `DatasetMissingError`, a row with another
 * number of fields a `DatasetFormatError` that says where.
 */
export async function* readTable(file: string, format: TableFormat): AsyncGenerator<TableRow> {
  await requireFile(format.dataset, file);
  const expected = format.fields;
  for await (const { text, line } of readLines(file, format.encoding)) {
    const fields = format.split(text);
    if (line === 1 && format.header !== undefined && fields[0] === format.header) continue;
    const ok = typeof expected === 'number' ? fields.length === expected : fields.length >= expected.min;
    if (!ok) throw new DatasetFormatError(file, line, format.fieldsError, text);
    yield new TableRow(file, line, text, fields);
  }
}

/** An interaction kept for replay: its place in the file, its item and its original time. */
export interface Interaction {
  /** Order of reading, so that ties in time keep file order. */
  readonly seq: number;
  readonly line: number;
  readonly item: number;
  readonly ts: number;
}

/**
 * Reads a dataset file's interactions (`parse` gives those of one row) in time order and keeps
 * the first `limit`.
 */
export async function readInteractions<T extends Omit<Interaction, 'seq' | 'line'>>(
  file: string,
  format: TableFormat,
  limit: number | undefined,
  parse: (row: TableRow) => Iterable<T>,
): Promise<Array<T & Interaction>> {
  const rows: Array<T & Interaction> = [];
  for await (const row of readTable(file, format)) {
    for (const interaction of parse(row)) rows.push({ ...interaction, seq: rows.length, line: row.line });
  }
  return timeOrdered(rows, limit);
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

export interface InteractionsDataset<R extends Interaction> {
  readonly name: DatasetName;
  /** Of every item and event id: `<prefix>-<item>`, `<prefix>-<file tag>-<line>`. */
  readonly prefix: string;
  readonly file: string;
  /** `updated_at` of the items. */
  readonly now: Date;
  /** In time order. */
  readonly interactions: readonly R[];
  /** What the dataset knows of an item besides its id. */
  readonly itemFields?: (item: number) => MinimalItemFields | undefined;
  /** The events of one interaction; `eventId` is `<prefix>-<file tag>-<line>`. */
  readonly events: (interaction: R, eventId: string) => Iterable<ClickstreamEvent>;
}

/** A dataset of interactions: the items they reference, then their events, built lazily. */
export function replayDataset<R extends Interaction>(spec: InteractionsDataset<R>): ReplayDataset {
  const { prefix, interactions } = spec;
  const tag = fileTag(spec.file);
  const itemIds = [...new Set(interactions.map((i) => i.item))];
  return {
    name: spec.name,
    file: spec.file,
    rows: interactions.length,
    items: itemIds.map((id) => minimalItem(`${prefix}-${id}`, String(id), spec.now, spec.itemFields?.(id))),
    *events() {
      for (const interaction of interactions) {
        for (const event of spec.events(interaction, `${prefix}-${tag}-${interaction.line}`)) {
          yield { event, originalTsMs: interaction.ts };
        }
      }
    },
  };
}
