import t from 'tap';
import {
  bucketQuantileMs,
  parseBuckets,
  percentile,
  seriesLags,
  summarizeLatencies,
  timeReaching,
} from './stats.js';

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

t.test('quantiles from a window of histogram buckets', (t) => {
  const text = [
    'rec_x_seconds_bucket{le="0.01",route="/a"} 10',
    'rec_x_seconds_bucket{le="0.1",route="/a"} 90',
    'rec_x_seconds_bucket{le="+Inf",route="/a"} 100',
    'rec_x_seconds_bucket{le="0.01",route="/b"} 5',
  ].join('\n');
  const after = parseBuckets(text, 'rec_x_seconds', 'route="/a"');
  t.same(
    [...after],
    [
      [0.01, 10],
      [0.1, 90],
      [Infinity, 100],
    ],
  );
  const before = new Map([
    [0.01, 0],
    [0.1, 0],
    [Infinity, 0],
  ]);
  t.equal(bucketQuantileMs(before, after, 0.05), 5, 'inside the first bucket, from zero');
  t.equal(Math.round(bucketQuantileMs(before, after, 0.5)), 55, 'interpolated inside 10–100 ms');
  t.equal(bucketQuantileMs(before, after, 0.99), 100, 'in +Inf: the last finite bound');
  t.equal(bucketQuantileMs(after, after, 0.5), 0, 'an empty window');
  t.end();
});
