/**
 * YOOCHOOSE clicks (RecSys Challenge 2015, session-rec's prepared 100k sample): tab-separated
 * `SessionId ItemId Time` with a header, Time in unix seconds (fractional), sorted by session.
 *
 * Each click becomes a `view` by an anonymous shopper: anonymous_id = session_id = `yc-<session>`,
 * item `yc-<item>`, event id `yc-<file>-<line>` (deterministic, so a re-run dedups).
 * The files carry no titles or categories: items are `Item <id>` with an empty category path.
 */
import {
  readInteractions,
  replayDataset,
  replayProperties,
  separatedFields,
  type ReaderOptions,
  type ReplayDataset,
} from './replay.dataset.js';

export const YOOCHOOSE_DEFAULT_FILE = 'yoochoose-clicks-100k_train_full.txt';

export async function readYoochoose(file: string, options: ReaderOptions): Promise<ReplayDataset> {
  const format = separatedFields('yoochoose', '\t', 'tab', 3, { header: 'SessionId' });
  const clicks = await readInteractions(file, format, options.limit, (row) => [
    {
      session: row.int(0, 'SessionId'),
      item: row.int(1, 'ItemId'),
      ts: Math.round(row.number(2, 'Time') * 1000),
    },
  ]);
  return replayDataset({
    name: 'yoochoose',
    prefix: 'yc',
    file,
    now: options.now,
    interactions: clicks,
    events: (click, eventId) => [
      {
        event_id: eventId,
        type: 'view',
        anonymous_id: `yc-${click.session}`,
        session_id: `yc-${click.session}`,
        item_id: `yc-${click.item}`,
        properties: replayProperties('yoochoose', click.ts),
      },
    ],
  });
}
