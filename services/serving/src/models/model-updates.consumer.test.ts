import t from 'tap';
import { instanceGroupId, parseAnnouncement } from './model-updates.consumer.js';

t.test('announcements: model and version, checked before they become paths', (t) => {
  const of = (value: unknown) => parseAnnouncement(Buffer.from(JSON.stringify(value)));
  const announced = {
    model: 'sasrec',
    version: '20261124T1200-0001',
    kind: 'incremental',
    parent: '20261124T1100-0001',
    createdAt: '2026-11-24T12:00:00.000Z',
    dataWindow: { from: null, to: null, events: 0 },
    watermark: { '0': 41 },
    metrics: {},
    hyperParameters: {},
    artifact: { format: 'sequence-model', sha256: 'a'.repeat(64) },
    status: 'live',
    pinned: false,
    path: '/x',
    publishedAt: '2026-11-24T12:00:01.000Z',
  };
  t.same(of(announced), { model: 'sasrec', version: '20261124T1200-0001' });
  t.same(of({ ...announced, later: 'a field added by a newer trainer' }), {
    model: 'sasrec',
    version: '20261124T1200-0001',
  });
  t.match(of({ model: 'sasrec', version: 'v1', status: 'live' }), {
    problem: /^not a model announcement: /,
  });
  t.match(of({ ...announced, watermark: { '0': -5 } }), { problem: /watermark/ });
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
