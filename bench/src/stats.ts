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

/** Cumulative Prometheus histogram buckets: upper bound (seconds; Infinity for +Inf) → count. */
export type Buckets = ReadonlyMap<number, number>;

/** The buckets of one histogram series in a Prometheus text exposition. */
export function parseBuckets(exposition: string, metric: string, labels: string): Buckets {
  const buckets = new Map<number, number>();
  const rest = labels === '' ? '' : `,${labels}`;
  const pattern = new RegExp(`^${metric}_bucket\\{le="([^"]+)"${rest}\\} (\\d+)$`, 'gm');
  for (const match of exposition.matchAll(pattern)) {
    const bound = match[1] === '+Inf' ? Infinity : Number(match[1]);
    // Summed: the joined expositions of several instances give one histogram over all of them.
    buckets.set(bound, (buckets.get(bound) ?? 0) + Number(match[2]));
  }
  return buckets;
}

/**
 * A quantile from the difference of two cumulative bucket snapshots (a window), interpolated
 * linearly inside its bucket; in milliseconds. Coarse by nature: only as fine as the buckets.
 */
export function bucketQuantileMs(before: Buckets, after: Buckets, q: number): number {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const counts = bounds.map((bound) => (after.get(bound) ?? 0) - (before.get(bound) ?? 0));
  const total = counts[counts.length - 1] ?? 0;
  if (total === 0) return 0;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const [index, bound] of bounds.entries()) {
    const cumulative = counts[index] ?? 0;
    if (cumulative >= rank) {
      if (!Number.isFinite(bound)) return lower * 1000;
      const inBucket = cumulative - below;
      const fraction = inBucket === 0 ? 0 : (rank - below) / inBucket;
      return (lower + (bound - lower) * fraction) * 1000;
    }
    lower = bound;
    below = cumulative;
  }
  return lower * 1000;
}
