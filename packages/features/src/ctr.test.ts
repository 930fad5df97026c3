import t from 'tap';
import { CTR_PRIOR_FALLBACK_MEAN, CTR_PRIOR_STRENGTH, ctrPrior, smoothedCtr } from './ctr.js';

const close = (actual: number, expected: number) => Math.abs(actual - expected) <= 1e-12;

t.test('the prior mean is the shop CTR, bounded, with a fallback before any impression', (t) => {
  t.same(ctrPrior({ clicks: 50, impressions: 1000 }), { mean: 0.05, strength: CTR_PRIOR_STRENGTH });
  t.same(ctrPrior({ clicks: 0, impressions: 0 }), {
    mean: CTR_PRIOR_FALLBACK_MEAN,
    strength: CTR_PRIOR_STRENGTH,
  });
  t.equal(
    ctrPrior({ clicks: 30, impressions: 10 }).mean,
    1,
    'clicks on unreported lists cannot push it past 1',
  );
  t.equal(ctrPrior({ clicks: 1, impressions: 10 }, 20).strength, 20);
  t.throws(() => ctrPrior({ clicks: 1, impressions: 10 }, 0), RangeError);
  t.end();
});

t.test('posterior mean: (clicks + m·s) / (impressions + s)', (t) => {
  const prior = { mean: 0.05, strength: 100 };
  t.equal(smoothedCtr(0, 0, prior), 0.05, 'no data: the prior mean');
  t.ok(close(smoothedCtr(1, 5, prior), (1 + 5) / 105), 'one click in five is far from 20 %');
  t.ok(smoothedCtr(1, 5, prior) < 0.06);
  t.ok(close(smoothedCtr(200, 1000, prior), 205 / 1100), 'a long record mostly speaks for itself');
  t.ok(smoothedCtr(200, 1000, prior) > 0.18);
  t.ok(close(smoothedCtr(2.5, 10.5, prior), (2.5 + 5) / 110.5), 'pro-rata fractions are fine');
  t.equal(smoothedCtr(7, 0, prior), 0.05, 'clicks without impressions are no evidence');
  t.ok(close(smoothedCtr(9, 3, prior), (3 + 5) / 103), 'clicks count up to the impressions');
  t.end();
});
