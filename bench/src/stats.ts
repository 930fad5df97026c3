/** Small summary statistics for benchmark reports. */

/** Nearest-rank percentile of already sorted values; 0 for none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? 0;
}

export function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export interface LatencySummary {
  readonly count: number;
  readonly p50_ms: number;
  readonly p90_ms: number;
  readonly p99_ms: number;
  readonly max_ms: number;
}

export function summarizeLatencies(values: readonly number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50_ms: round(percentile(sorted, 50)),
    p90_ms: round(percentile(sorted, 90)),
    p99_ms: round(percentile(sorted, 99)),
    max_ms: round(sorted[sorted.length - 1] ?? 0),
  };
}

/** A cumulative count over time: (time, count) samples with non-decreasing counts. */
export type CountSeries = readonly (readonly [timeMs: number, count: number])[];

/** First time the series reached `count`; undefined if it never did. */
export function timeReaching(series: CountSeries, count: number): number | undefined {
  let low = 0;
  let high = series.length - 1;
  let found: number | undefined;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const sample = series[mid];
    if (sample === undefined) break;
    if (sample[1] >= count) {
      found = sample[0];
      high = mid - 1;
    } else {
      low = mid + 1;
    }
  }
  return found;
}

/**
 * Lag between two cumulative series for every `step`-th item: when the n-th item was acknowledged
 * vs when n items were visible. Assumes first-in first-out, which makes it an estimate of each
 * event's own lag (exact for the distribution when the order is kept).
 */
export function seriesLags(acked: CountSeries, visible: CountSeries, step: number): number[] {
  const total = acked[acked.length - 1]?.[1] ?? 0;
  const lags: number[] = [];
  for (let n = step; n <= total; n += step) {
    const ackedAt = timeReaching(acked, n);
    const visibleAt = timeReaching(visible, n);
    if (ackedAt !== undefined && visibleAt !== undefined) lags.push(Math.max(0, visibleAt - ackedAt));
  }
  return lags;
}
