import t from 'tap';
import { holdoutDrift, judge } from './guardrail.js';

const config = { tolerance: 0.02, minCases: 10 };
const live = (hr10: number, ndcg10: number, pinned = false) => ({
  version: 'v1',
  metrics: { cases: 50, hr10, ndcg10 },
  pinned,
});

t.test('the first version is published without a comparison', (t) => {
  t.equal(judge({ cases: 0, hr10: 0, ndcg10: 0 }, undefined, config).action, 'publish');
  t.end();
});

t.test('a candidate within tolerance is published, a regression beyond it rejected', (t) => {
  t.equal(judge({ cases: 50, hr10: 0.29, ndcg10: 0.15 }, live(0.3, 0.16), config).action, 'publish');
  const verdict = judge({ cases: 50, hr10: 0.27, ndcg10: 0.16 }, live(0.3, 0.16), config);
  t.equal(verdict.action, 'reject');
  t.match(verdict.reason, /HR@10 0\.2700 < live 0\.3000 - 0\.02/);
  t.notMatch(verdict.reason, /NDCG/, 'names only the metric that regressed');
  t.equal(judge({ cases: 50, hr10: 0.3, ndcg10: 0.13 }, live(0.3, 0.16), config).action, 'reject');
  t.end();
});

t.test('a pinned live version or a thin holdout holds the candidate', (t) => {
  t.match(judge({ cases: 50, hr10: 0.9, ndcg10: 0.9 }, live(0.1, 0.1, true), config), {
    action: 'hold',
    reason: /pinned/,
  });
  t.match(judge({ cases: 9, hr10: 0.9, ndcg10: 0.9 }, live(0.1, 0.1), config), {
    action: 'hold',
    reason: /9 held-out cases/,
  });
  t.end();
});

t.test('drift alerts only when a metric fell beyond the bound', (t) => {
  t.same(holdoutDrift({ hr10: 0.3, ndcg10: 0.2 }, { hr10: 0.28, ndcg10: 0.2 }, 0.05).alert, false);
  t.same(holdoutDrift({ hr10: 0.3, ndcg10: 0.2 }, { hr10: 0.5, ndcg10: 0.1 }, 0.05), {
    hr10: -0.2,
    ndcg10: 0.1,
    alert: true,
  });
  t.end();
});
