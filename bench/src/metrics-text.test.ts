import t from 'tap';
import { histogramBuckets, seriesValue } from './metrics-text.js';

const exposition = `# HELP rec_feature_events_total Events consumed
# TYPE rec_feature_events_total counter
rec_feature_events_total{outcome="applied"} 1200
rec_feature_events_total{outcome="duplicate"} 3
rec_feature_up 1
rec_feature_freshness_seconds_bucket{le="0.05"} 10
rec_feature_freshness_seconds_bucket{le="0.1"} 30
rec_feature_freshness_seconds_bucket{le="+Inf"} 40
rec_feature_freshness_seconds_sum 2.5
`;

t.test('series values by exact labels', (t) => {
  t.equal(seriesValue(exposition, 'rec_feature_events_total', 'outcome="applied"'), 1200);
  t.equal(seriesValue(exposition, 'rec_feature_events_total', 'outcome="duplicate"'), 3);
  t.equal(seriesValue(exposition, 'rec_feature_events_total', 'outcome="late"'), 0, 'not written yet: 0');
  t.equal(seriesValue(exposition, 'rec_feature_up'), 1);
  t.equal(seriesValue(exposition, 'rec_feature_freshness_seconds_sum'), 2.5);
  t.end();
});

t.test('buckets of an unlabelled histogram', (t) => {
  t.same(
    [...histogramBuckets(exposition, 'rec_feature_freshness_seconds')],
    [
      [0.05, 10],
      [0.1, 30],
      [Infinity, 40],
    ],
  );
  t.end();
});
