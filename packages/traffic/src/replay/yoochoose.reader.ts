/**
 * YOOCHOOSE clicks (RecSys Challenge 2015, session-rec's prepared 100k sample): tab-separated
 * `SessionId ItemId Time` with a header, Time in unix seconds (fractional), sorted by session.
 *
 * Each click becomes a `view` by an anonymous shopper: anonymous_id = session_id = `yc-<session>`,
 * item `yc-<item>`, event id `yc-<file>-<line>` (deterministic, so a re-run dedups).
 * The files carry no titles or categories: items are `Item <id>` with an empty category path.
 */
import {
  fileTag,
  intField,
  minimalItem,
  numberField,
  readLines,
  replayProperties,
  requireFile,
  timeOrdered,
  DatasetFormatError,
  type ReaderOptions,
  type ReplayDataset,
  type ReplayView,
} from './replay.dataset.js';

export const YOOCHOOSE_DEFAULT_FILE = 'yoochoose-clicks-100k_train_full.txt';

interface Click {
  readonly seq: number;
  readonly line: number;
  readonly session: number;
  readonly item: number;
  readonly ts: number;
}

export async function readYoochoose(file: string, options: ReaderOptions): Promise<ReplayDataset> {
  await requireFile('yoochoose', file);
  const rows: Click[] = [];
  for await (const { text, line } of readLines(file)) {
    const fields = text.split('\t');
    if (line === 1 && fields[0] === 'SessionId') continue;
    if (fields.length !== 3)
      throw new DatasetFormatError(file, line, 'expected 3 tab-separated fields', text);
    rows.push({
      seq: rows.length,
      line,
      session: intField(fields[0], file, line, text, 'SessionId'),
      item: intField(fields[1], file, line, text, 'ItemId'),
      ts: Math.round(numberField(fields[2], file, line, text, 'Time') * 1000),
    });
  }
  const clicks = timeOrdered(rows, options.limit);
  const tag = fileTag(file);
  const itemIds = [...new Set(clicks.map((c) => c.item))];
  return {
    name: 'yoochoose',
    file,
    rows: clicks.length,
    items: itemIds.map((id) => minimalItem(`yc-${id}`, String(id), options.now)),
    *events() {
      for (const click of clicks) {
        const event: ReplayView = {
          event_id: `yc-${tag}-${click.line}`,
          type: 'view',
          anonymous_id: `yc-${click.session}`,
          session_id: `yc-${click.session}`,
          item_id: `yc-${click.item}`,
          properties: replayProperties('yoochoose', click.ts),
        };
        yield { event, originalTsMs: click.ts };
      }
    },
  };
}
