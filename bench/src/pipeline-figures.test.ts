import t from 'tap';
import { cpuDelta, cpuUsPerEvent, lostEvents, timeToZeroMs, topicLag } from './pipeline-figures.js';

t.test('topic lag: log end minus the committed offset, or minus the log start before any commit', (t) => {
  const ends = [
    { partition: 0, high: '100', low: '0' },
    { partition: 1, high: '50', low: '10' },
    { partition: 2, high: '7', low: '7' },
  ];
  t.equal(topicLag(ends, [{ partition: 0, offset: '100' }]), 0 + 40 + 0);
  t.equal(
    topicLag(ends, [
      { partition: 0, offset: '90' },
      { partition: 1, offset: '-1' },
      { partition: 2, offset: '7' },
    ]),
    10 + 40,
  );
  t.equal(topicLag(ends, []), 100 + 40, 'a group that committed nothing has the whole log to read');
  // A committed offset past the end (a truncated or recreated topic) is no negative lag.
  t.equal(topicLag([{ partition: 0, high: '5', low: '0' }], [{ partition: 0, offset: '9' }]), 0);
  t.end();
});

t.test('time to zero: the first zero at or after the start, undefined if it never drained', (t) => {
  const samples = [
    [0, 0],
    [100, 30],
    [200, 0],
    [300, 5],
    [400, 0],
  ] as const;
  t.equal(timeToZeroMs(samples, 50), 150, 'a zero before the start does not count');
  t.equal(timeToZeroMs(samples, 200), 0);
  t.equal(timeToZeroMs(samples, 250), 150);
  t.equal(timeToZeroMs(samples, 401), undefined);
  t.equal(timeToZeroMs([[100, 3]], 0), undefined);
  t.end();
});

t.test('CPU per event in microseconds', (t) => {
  t.equal(cpuUsPerEvent(1.5, 50_000), 30);
  t.equal(cpuUsPerEvent(0.01, 3), 3333.3);
  t.equal(cpuUsPerEvent(1, 0), undefined, 'no events: no figure, not Infinity');
  t.equal(cpuUsPerEvent(undefined, 10), undefined);
  t.equal(cpuUsPerEvent(1, undefined), undefined);
  t.equal(cpuDelta(10.5, 12.75), 2.25);
  t.equal(cpuDelta(undefined, 1), undefined);
  t.equal(cpuDelta(1, undefined), undefined);
  t.end();
});

t.test('lost: accepted and neither stored nor parked', (t) => {
  t.equal(lostEvents({ accepted: 100, stored: 95, parkedOnly: 3 }), 2);
  t.equal(lostEvents({ accepted: 100, stored: 100, parkedOnly: 0 }), 0);
  t.equal(lostEvents({ accepted: 100, stored: 99, parkedOnly: 5 }), 0, 'never negative');
  t.end();
});
