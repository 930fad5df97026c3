import t from 'tap';
import { percentile, seriesLags, summarizeLatencies, timeReaching } from './stats.js';

t.test('percentile uses the nearest rank', (t) => {
  const values = Array.from({ length: 100 }, (_, i) => i + 1);
  t.equal(percentile(values, 50), 50);
  t.equal(percentile(values, 99), 99);
  t.equal(percentile(values, 100), 100);
  t.equal(percentile([], 99), 0);
  t.same(summarizeLatencies([3, 1, 2]), { count: 3, p50_ms: 2, p90_ms: 3, p99_ms: 3, max_ms: 3 });
  t.end();
});

t.test('lags between cumulative series', (t) => {
  const acked = [
    [0, 100],
    [10, 200],
    [20, 300],
  ] as const;
  const visible = [
    [5, 0],
    [15, 150],
    [30, 300],
  ] as const;
  t.equal(timeReaching(visible, 150), 15);
  t.equal(timeReaching(visible, 301), undefined);
  t.same(seriesLags(acked, visible, 100), [15, 20, 10], 'the n-th acknowledged vs n visible');
  t.end();
});
