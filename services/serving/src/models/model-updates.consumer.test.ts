import t from 'tap';
import { instanceGroupId, parseAnnouncement } from './model-updates.consumer.js';

t.test('announcements: model and version, checked before they become paths', (t) => {
  const of = (value: unknown) => parseAnnouncement(Buffer.from(JSON.stringify(value)));
  t.same(of({ model: 'sasrec', version: '20261124T1200-0001', status: 'live', path: '/x' }), {
    model: 'sasrec',
    version: '20261124T1200-0001',
  });
  t.same(parseAnnouncement(null), { problem: 'tombstone' });
  t.same(parseAnnouncement(Buffer.from('{no')), { problem: 'not JSON' });
  t.same(of(null), { problem: 'no valid model name' });
  t.same(of({ model: 'Sasrec', version: 'v1' }), { problem: 'no valid model name' });
  t.same(of({ model: 'sasrec', version: '../../etc/passwd' }), { problem: 'no valid version name' });
  t.same(of({ model: 'sasrec', version: 3 }), { problem: 'no valid version name' });
  t.end();
});

t.test('every instance gets a group of its own', (t) => {
  const a = instanceGroupId('p.');
  t.match(a, /^p\.serving-models-[A-Za-z0-9_.-]+-\d+-[0-9a-f]{8}$/);
  t.not(a, instanceGroupId('p.'));
  t.end();
});
