import { join } from 'node:path';
import t from 'tap';
import { DIGINETICA_DEFAULT_FILE, readDiginetica } from './diginetica.reader.js';
import { assertCleanReplay, checkReplay, sharedDataset } from './replay.test-support.js';

const now = new Date('2025-03-01T12:00:00.000Z');
const file = join(sharedDataset('diginetica-sample'), DIGINETICA_DEFAULT_FILE);

t.test('the DIGINETICA sample: every view, in time order, valid', async (t) => {
  const dataset = await readDiginetica(file, { now });
  const check = checkReplay(dataset);
  t.equal(dataset.rows, 12_391, 'all 12,391 views');
  assertCleanReplay(t, check);
  t.equal(dataset.items.length, 7_139);
  t.equal(new Set(check.events.map((e) => e.event.session_id)).size, 2_986);

  const known = check.events.filter((e) => e.event.user_id !== undefined);
  t.equal(known.length, 4_710, 'rows with a user id are sent as that user');
  t.equal(new Set(known.map((e) => e.event.user_id)).size, 1_270);
  t.ok(check.events.every((e) => (e.event.user_id === undefined) === (e.event.anonymous_id !== undefined)));
  const first = check.events[0]?.event.properties?.['original_ts'];
  t.match(first, /^2016-01-0\dT/, 'the sample starts in early January 2016');
});

t.test('eventdate + timeframe order the views within a session', async (t) => {
  const dir = t.testdir({
    'views.csv':
      'session_id;user_id;item_id;timeframe;eventdate\n1;NA;10;5000;2016-05-09\n1;NA;11;1000;2016-05-09\n2;7;12;0;2016-05-08\n',
  });
  const dataset = await readDiginetica(join(dir, 'views.csv'), { now });
  const events = [...dataset.events()];
  t.same(
    events.map((e) => e.event.event_id),
    ['dn-views-4', 'dn-views-3', 'dn-views-2'],
  );
  t.same(
    events.map((e) => e.originalTsMs),
    [
      Date.parse('2016-05-08T00:00:00Z'),
      Date.parse('2016-05-09T00:00:01Z'),
      Date.parse('2016-05-09T00:00:05Z'),
    ],
  );
  t.match(events[0]?.event, { user_id: 'dn-7', session_id: 'dn-2', item_id: 'dn-12' });
});
