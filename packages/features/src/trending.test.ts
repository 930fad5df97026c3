import t from 'tap';
import {
  POPULARITY_T0_MS,
  POPULARITY_TAU_MS,
  SHORT_POPULARITY_TAU_MS,
  currentCount,
  logAddExp,
  logContribution,
} from './popularity.js';
import { TRENDING_PRIOR_WEIGHT, trendingScore } from './trending.js';

const MINUTE = 60_000;
const now = POPULARITY_T0_MS + 100 * POPULARITY_TAU_MS;

/** The decayed counts at `now` of events of weight 1 at the given times, as the store keeps them. */
function counts(times: readonly number[]): { short: number; long: number } {
  let shortLog = -Infinity;
  let longLog = -Infinity;
  for (const time of times) {
    shortLog = logAddExp(shortLog, logContribution(1, time, SHORT_POPULARITY_TAU_MS));
    longLog = logAddExp(longLog, logContribution(1, time, POPULARITY_TAU_MS));
  }
  return {
    short: currentCount(shortLog, now, SHORT_POPULARITY_TAU_MS),
    long: currentCount(longLog, now, POPULARITY_TAU_MS),
  };
}
const score = (times: readonly number[]) => {
  const { short, long } = counts(times);
  return trendingScore(short, long);
};
const every = (count: number, stepMs: number, endMs = now) =>
  Array.from({ length: count }, (_, i) => endMs - i * stepMs);

t.test('an item at a steady rate scores about 1, whatever its volume', (t) => {
  const busy = score(every(7 * 24 * 60, MINUTE)); // one event a minute for a week
  const quiet = score(every(7 * 24, 60 * MINUTE)); // one an hour
  t.ok(Math.abs(busy - 1) < 0.02, `busy steady item: ${busy}`);
  t.ok(Math.abs(quiet - 1) < 0.1, `quiet steady item: ${quiet}`);
  t.end();
});

t.test('the prior keeps a lone event from topping the list', (t) => {
  const lone = score([now]);
  t.equal(trendingScore(1, 1, 1e-9) > 23.9, true, 'without a prior one event scores τ_long/τ_short = 24');
  t.ok(
    Math.abs(lone - (1 + TRENDING_PRIOR_WEIGHT) / (1 / 24 + TRENDING_PRIOR_WEIGHT)) < 1e-9,
    `lone event: ${lone}`,
  );
  const burst = score(every(40, MINUTE)); // 40 events in the last 40 minutes, none before
  const steadyBestSeller = score(every(7 * 24 * 60, MINUTE));
  t.ok(burst > lone, `a real burst (${burst}) beats a lone event (${lone})`);
  t.ok(burst > 2 * steadyBestSeller, 'and a steady best-seller');
  t.end();
});

t.test('an item that was busy hours ago cools below 1', (t) => {
  const past = score(every(100, MINUTE, now - 4 * 60 * MINUTE));
  t.ok(past < 1, `cooling: ${past}`);
  t.equal(trendingScore(0, 0), 1, 'no data: neutral');
  t.throws(() => trendingScore(1, 1, 0), RangeError);
  t.end();
});
