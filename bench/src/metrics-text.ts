/** Reading single series out of a Prometheus text exposition (a service's `/metrics`). */

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The value of `metric` with exactly these labels (`outcome="applied"`; empty for none), or 0
 * when the series has not been written yet (prom-client omits labelled series until first use).
 * Expositions of several instances joined together give the sum over the instances.
 */
export function seriesValue(exposition: string, metric: string, labels = ''): number {
  const selector = labels === '' ? '' : `\\{${escape(labels)}\\}`;
  let sum = 0;
  for (const match of exposition.matchAll(new RegExp(`^${escape(metric)}${selector} (\\S+)$`, 'gm')))
    sum += Number(match[1]);
  return sum;
}

/** Cumulative buckets (upper bound in seconds, Infinity for +Inf → count) of an unlabelled histogram. */
export function histogramBuckets(exposition: string, metric: string): Map<number, number> {
  const buckets = new Map<number, number>();
  const pattern = new RegExp(`^${escape(metric)}_bucket\\{le="([^"]+)"\\} (\\d+)$`, 'gm');
  for (const match of exposition.matchAll(pattern))
    buckets.set(match[1] === '+Inf' ? Infinity : Number(match[1]), Number(match[2]));
  return buckets;
}
