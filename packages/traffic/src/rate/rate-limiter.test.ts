import t from 'tap';
import { FixedRatePacer, TimeScalePacer, type Pacer } from './rate-limiter.js';

/** Releases `count` events through a pacer on a simulated clock; returns release times. */
function releases(pacer: Pacer, originals: (number | undefined)[], startMs = 1_000_000): number[] {
  let now = startMs;
  return originals.map((original) => {
    now += pacer.delayMs(original, now);
    return now - startMs;
  });
}

t.test('a fixed rate spaces events evenly', (t) => {
  const times = releases(
    new FixedRatePacer(200),
    Array.from({ length: 201 }, () => undefined),
  );
  t.equal(times[0], 0);
  t.equal(times[200], 1000, '200 events/s: the 201st leaves after one second');
  t.equal(times[1], 5);
  t.end();
});

t.test('a fixed rate does not burst to catch up after a long stall', (t) => {
  const pacer = new FixedRatePacer(10);
  t.equal(pacer.delayMs(undefined, 0), 0);
  t.equal(pacer.delayMs(undefined, 0), 100);
  // ingest stalled for 10 s
  t.equal(pacer.delayMs(undefined, 10_000), 0);
  t.equal(pacer.delayMs(undefined, 10_000), 100, 'back to the rate, not 100 events at once');
  t.throws(() => new FixedRatePacer(0));
  t.end();
});

t.test('time scaling compresses original gaps by the speed', (t) => {
  const s = 1000;
  const times = releases(new TimeScalePacer(10, 60_000), [0, 10 * s, 10 * s, 30 * s]);
  t.same(times, [0, 1000, 1000, 3000]);
  t.end();
});

t.test('time scaling caps long gaps (nights, weekends) and needs original times', (t) => {
  const times = releases(new TimeScalePacer(1, 5000), [0, 3_600_000, 3_601_000]);
  t.same(times, [0, 5000, 6000]);
  t.throws(() => new TimeScalePacer(1, 5000).delayMs(undefined, 0));
  t.end();
});
