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
  readInteractions,
  replayDataset,
  replayProperties,
  separatedFields,
  type ReaderOptions,
  type ReplayDataset,
} from './replay.dataset.js';

export const DIGINETICA_DEFAULT_FILE = 'sample_train-item-views.csv';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export async function readDiginetica(file: string, options: ReaderOptions): Promise<ReplayDataset> {
  const format = separatedFields('diginetica', ';', ';', 5, { header: 'session_id' });
  const views = await readInteractions(file, format, options.limit, (row) => {
    const [, user, , , date] = row.fields;
    if (date === undefined || !DATE.test(date)) return row.fail('eventdate is not YYYY-MM-DD');
    return [
      {
        session: row.int(0, 'session_id'),
        user: user === 'NA' || user === '' ? undefined : row.int(1, 'user_id'),
        item: row.int(2, 'item_id'),
        ts: Date.parse(`${date}T00:00:00Z`) + row.int(3, 'timeframe'),
      },
    ];
  });
  return replayDataset({
    name: 'diginetica',
    prefix: 'dn',
    file,
    now: options.now,
    interactions: views,
    events: (view, eventId) => [
      {
        event_id: eventId,
        type: 'view',
        ...(view.user === undefined
          ? { anonymous_id: `dn-${view.session}` }
          : { user_id: `dn-${view.user}` }),
        session_id: `dn-${view.session}`,
        item_id: `dn-${view.item}`,
        properties: replayProperties('diginetica', view.ts),
      },
    ],
  });
}
