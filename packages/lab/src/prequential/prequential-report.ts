/**
 * The prequential report: HR@K and NDCG@K of two arms on the same cases, over the whole stream and
 * per window of it (equal shares of the stream's events, so "over time" reads left to right), with
 * the online − frozen difference and a paired bootstrap confidence interval for it. Paired: each
 * resample draws cases, and a case carries both arms' results, so the interval is about the
 * difference on the same events, not two independent means.
 */
import { createRandom } from '@recstream/models';
import { invalidStream } from './prequential-cases.js';
import type { CaseScores } from './score-cases.js';

export interface Interval {
  /** online − frozen, mean over the cases. */
  readonly mean: number;
  readonly low: number;
  readonly high: number;
}

export interface ArmMetrics {
  readonly hr: number;
  readonly ndcg: number;
}

export interface Comparison {
  readonly cases: number;
  readonly online: ArmMetrics;
  readonly frozen: ArmMetrics;
  readonly difference: { readonly hr: Interval; readonly ndcg: Interval };
  /** `online-better` only when the whole NDCG interval lies above zero (and `frozen-better` below). */
  readonly verdict: 'online-better' | 'frozen-better' | 'no-clear-difference';
}

export interface WindowComparison extends Comparison {
  readonly window: number;
  /** Stream positions [from, to) of the window. */
  readonly from: number;
  readonly to: number;
}

export interface PrequentialReport {
  readonly k: number;
  readonly confidence: number;
  readonly bootstrapResamples: number;
  readonly overall: Comparison;
  /** Cases whose item the initial model did not know: only learning can hit them. */
  readonly newItems: Comparison | undefined;
  readonly windows: readonly WindowComparison[];
}

export interface ReportOptions {
  readonly windows: number;
  readonly resamples: number;
  /** e.g. 0.95. */
  readonly confidence: number;
  readonly seed: number;
}

interface Arms {
  readonly online: CaseScores;
  readonly frozen: CaseScores;
}

const mean = (values: ArrayLike<number>, rows: readonly number[]): number => {
  let sum = 0;
  for (const row of rows) sum += values[row] ?? 0;
  return rows.length === 0 ? 0 : sum / rows.length;
};

/** Percentile interval of the mean paired difference over `resamples` resamples of `rows`. */
export function pairedBootstrap(
  online: ArrayLike<number>,
  frozen: ArrayLike<number>,
  rows: readonly number[],
  options: Pick<ReportOptions, 'resamples' | 'confidence' | 'seed'>,
): Interval {
  const n = rows.length;
  const differences = Float64Array.from(rows, (row) => (online[row] ?? 0) - (frozen[row] ?? 0));
  let total = 0;
  for (const d of differences) total += d;
  const observed = n === 0 ? 0 : total / n;
  if (n < 2) return { mean: observed, low: observed, high: observed };
  const random = createRandom(options.seed);
  const means = new Float64Array(options.resamples);
  for (let r = 0; r < options.resamples; r += 1) {
    let sum = 0;
    for (let i = 0; i < n; i += 1) sum += differences[random.int(n)] ?? 0;
    means[r] = sum / n;
  }
  means.sort();
  const tail = (1 - options.confidence) / 2;
  const at = (q: number): number =>
    means[Math.min(means.length - 1, Math.max(0, Math.floor(q * means.length)))] ?? 0;
  return { mean: observed, low: at(tail), high: at(1 - tail) };
}

function compare(arms: Arms, rows: readonly number[], options: ReportOptions, salt: number): Comparison {
  const seed = options.seed + salt;
  const ndcg = pairedBootstrap(arms.online.ndcg, arms.frozen.ndcg, rows, { ...options, seed });
  const hr = pairedBootstrap(arms.online.hit, arms.frozen.hit, rows, { ...options, seed: seed + 1 });
  return {
    cases: rows.length,
    online: { hr: mean(arms.online.hit, rows), ndcg: mean(arms.online.ndcg, rows) },
    frozen: { hr: mean(arms.frozen.hit, rows), ndcg: mean(arms.frozen.ndcg, rows) },
    difference: { hr, ndcg },
    verdict: ndcg.low > 0 ? 'online-better' : ndcg.high < 0 ? 'frozen-better' : 'no-clear-difference',
  };
}

/**
 * `positions[i]` is the stream position of case i (cases in stream order); `streamEvents` the
 * stream's length, which the windows divide.
 */
export function prequentialReport(
  arms: Arms & { readonly k: number },
  positions: readonly number[],
  streamEvents: number,
  options: ReportOptions,
): PrequentialReport {
  const n = positions.length;
  if (n === 0) throw invalidStream('no cases to report on');
  if (arms.online.hit.length !== n || arms.frozen.hit.length !== n)
    throw invalidStream(
      `${n} cases but ${arms.online.hit.length} online and ${arms.frozen.hit.length} frozen results`,
    );
  if (!Number.isInteger(options.windows) || options.windows < 1)
    throw invalidStream(`windows must be a positive integer, got ${options.windows}`);
  if (!Number.isInteger(options.resamples) || options.resamples < 1)
    throw invalidStream(`resamples must be a positive integer, got ${options.resamples}`);
  if (!(options.confidence > 0 && options.confidence < 1))
    throw invalidStream(`confidence must be in (0, 1), got ${options.confidence}`);

  const all = Array.from({ length: n }, (_, i) => i);
  const fresh = all.filter((i) => arms.frozen.unknownTarget[i] === 1);
  const windows: WindowComparison[] = [];
  for (let w = 0; w < options.windows; w += 1) {
    const from = Math.floor((w * streamEvents) / options.windows);
    const to = Math.floor(((w + 1) * streamEvents) / options.windows);
    const rows = all.filter((i) => (positions[i] ?? -1) >= from && (positions[i] ?? -1) < to);
    windows.push({ window: w + 1, from, to, ...compare(arms, rows, options, 100 * (w + 1)) });
  }
  return {
    k: arms.k,
    confidence: options.confidence,
    bootstrapResamples: options.resamples,
    overall: compare(arms, all, options, 0),
    newItems: fresh.length === 0 ? undefined : compare(arms, fresh, options, 50),
    windows,
  };
}
