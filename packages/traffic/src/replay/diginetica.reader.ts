/**
 * DIGINETICA product views (CIKM Cup 2016): `;`-separated
 * `session_id;user_id;item_id;timeframe;eventdate` with a header. `eventdate` is the session's day
 * and `timeframe` the milliseconds since the session began, so the original time is
 * eventdate 00:00 UTC + timeframe. user_id is mostly `NA`.
 *
 * Each row becomes a `view`: user_id = `dn-<user>` when known, else anonymous_id = `dn-<session>`;
 * session_id = `dn-<session>`, item `dn-<item>`, event id `dn-<file>-<line>`.
 */
import {
  fileTag,
  intField,
  minimalItem,
  readLines,
  replayProperties,
  requireFile,
  timeOrdered,
  DatasetFormatError,
  type ReaderOptions,
  type ReplayDataset,
  type ReplayView,
} from './replay.dataset.js';

export const DIGINETICA_DEFAULT_FILE = 'sample_train-item-views.csv';

interface View {
  readonly seq: number;
  readonly line: number;
  readonly session: number;
  readonly user: number | undefined;
  readonly item: number;
  readonly ts: number;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export async function readDiginetica(file: string, options: ReaderOptions): Promise<ReplayDataset> {
  await requireFile('diginetica', file);
  const rows: View[] = [];
  for await (const { text, line } of readLines(file)) {
    const fields = text.split(';');
    if (line === 1 && fields[0] === 'session_id') continue;
    if (fields.length !== 5) throw new DatasetFormatError(file, line, 'expected 5 ;-separated fields', text);
    const [session, user, item, timeframe, date] = fields;
    if (date === undefined || !DATE.test(date))
      throw new DatasetFormatError(file, line, 'eventdate is not YYYY-MM-DD', text);
    rows.push({
      seq: rows.length,
      line,
      session: intField(session, file, line, text, 'session_id'),
      user: user === 'NA' || user === '' ? undefined : intField(user, file, line, text, 'user_id'),
      item: intField(item, file, line, text, 'item_id'),
      ts: Date.parse(`${date}T00:00:00Z`) + intField(timeframe, file, line, text, 'timeframe'),
    });
  }
  const views = timeOrdered(rows, options.limit);
  const tag = fileTag(file);
  const itemIds = [...new Set(views.map((v) => v.item))];
  return {
    name: 'diginetica',
    file,
    rows: views.length,
    items: itemIds.map((id) => minimalItem(`dn-${id}`, String(id), options.now)),
    *events() {
      for (const view of views) {
        const event: ReplayView = {
          event_id: `dn-${tag}-${view.line}`,
          type: 'view',
          ...(view.user === undefined
            ? { anonymous_id: `dn-${view.session}` }
            : { user_id: `dn-${view.user}` }),
          session_id: `dn-${view.session}`,
          item_id: `dn-${view.item}`,
          properties: replayProperties('diginetica', view.ts),
        };
        yield { event, originalTsMs: view.ts };
      }
    },
  };
}
