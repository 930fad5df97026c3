/**
 * Prometheus metrics with an injected registry per service (never the global one, so tests and
 * several apps in one process stay apart). Names follow `rec_<service>_<what>_<unit>`.
 */
import { Registry, collectDefaultMetrics, Counter, Gauge, Histogram } from 'prom-client';

export { Registry, Counter, Gauge, Histogram };

export interface ServiceMetrics {
  readonly registry: Registry;
  /** The prefix for this service's metric names, e.g. `rec_ingest_`. */
  readonly prefix: string;
  counter<L extends string>(name: string, help: string, labelNames?: readonly L[]): Counter<L>;
  gauge<L extends string>(name: string, help: string, labelNames?: readonly L[]): Gauge<L>;
  histogram<L extends string>(
    name: string,
    help: string,
    buckets: number[],
    labelNames?: readonly L[],
  ): Histogram<L>;
}

export function createMetrics(service: string, options: { defaultMetrics?: boolean } = {}): ServiceMetrics {
  const registry = new Registry();
  const prefix = `rec_${service}_`;
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix });
  return {
    registry,
    prefix,
    counter: (name, help, labelNames = []) =>
      new Counter({ name: prefix + name, help, labelNames, registers: [registry] }),
    gauge: (name, help, labelNames = []) =>
      new Gauge({ name: prefix + name, help, labelNames, registers: [registry] }),
    histogram: (name, help, buckets, labelNames = []) =>
      new Histogram({ name: prefix + name, help, buckets, labelNames, registers: [registry] }),
  };
}

/** Latency buckets in seconds suited to in-process steps and local round trips. */
export const LATENCY_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
