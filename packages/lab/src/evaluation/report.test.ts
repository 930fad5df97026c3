import t from 'tap';
import { flattenMetrics, formatTable, summarise, summariseRuns } from './report.js';

t.test('flattened metric names', (t) => {
  const flat = flattenMetrics({
    cases: 3,
    numItems: 10,
    mrr: 0.5,
    atK: [{ k: 10, hitRate: 0.1, recall: 0.2, precision: 0.3, ndcg: 0.4, coverage: 0.5, novelty: 7 }],
  });
  t.same(flat, {
    'HR@10': 0.1,
    'Recall@10': 0.2,
    'Precision@10': 0.3,
    'NDCG@10': 0.4,
    'Coverage@10': 0.5,
    'Novelty@10': 7,
    MRR: 0.5,
  });
  t.end();
});

t.test('mean and sample standard deviation', (t) => {
  t.same(summarise([2, 4, 6]), { mean: 4, std: 2 });
  t.same(summarise([3]), { mean: 3, std: 0 });
  t.throws(() => summarise([]), RangeError);
  t.same(
    summariseRuns([{ a: 1, b: 5 }, { a: 3 }]),
    { a: { mean: 2, std: Math.SQRT2 } },
    'only metrics every run has',
  );
  t.end();
});

t.test('the table puts measured rows beside published ones', (t) => {
  const text = formatTable({
    title: 'protocol',
    columns: ['NDCG@10'],
    extraColumns: ['MRR'],
    runs: 3,
    rows: [
      {
        model: 'bpr',
        metrics: { 'NDCG@10': { mean: 0.41234, std: 0.00321 }, MRR: { mean: 0.6, std: 0 } },
        trainSeconds: { mean: 12.34, std: 1 },
        evalSeconds: { mean: 0.5, std: 0 },
      },
    ],
    published: [{ model: 'BPR', values: { 'NDCG@10': 0.442 } }],
    publishedSource: 'somewhere',
  });
  const lines = text.split('\n');
  t.match(lines[1], /^model\s+NDCG@10\s+MRR\s+train s\s+eval s$/);
  t.match(text, /bpr\s+0\.4123 ± 0\.0032\s+0\.6000 ± 0\.0000\s+12\.3\s+0\.5/);
  t.match(text, /BPR \(published\)\s+0\.4420/);
  t.match(text, /published: somewhere$/);
  t.end();
});
