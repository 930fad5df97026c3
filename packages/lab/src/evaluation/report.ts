/**
 * Reports: an EvaluationReport flattened to named metrics (`NDCG@10`, `MRR`, …), the mean and
 * standard deviation over seeds, and a plain-text table that puts the measured rows beside the
 * published ones.
 */
import type { EvaluationReport } from '@recstream/models';
import type { PublishedRow } from './protocols.js';

export type MetricValues = Readonly<Record<string, number>>;

/** `HR@K`, `Recall@K`, `Precision@K`, `NDCG@K`, `Coverage@K`, `ILD@K`, `Novelty@K` per K, and `MRR`. */
export function flattenMetrics(report: EvaluationReport): MetricValues {
  const flat: Record<string, number> = {};
  for (const at of report.atK) {
    flat[`HR@${at.k}`] = at.hitRate;
    flat[`Recall@${at.k}`] = at.recall;
    flat[`Precision@${at.k}`] = at.precision;
    flat[`NDCG@${at.k}`] = at.ndcg;
    flat[`Coverage@${at.k}`] = at.coverage;
    if (at.diversity !== undefined) flat[`ILD@${at.k}`] = at.diversity;
    if (at.novelty !== undefined) flat[`Novelty@${at.k}`] = at.novelty;
  }
  flat['MRR'] = report.mrr;
  return flat;
}

export interface Summary {
  readonly mean: number;
  /** Sample standard deviation (n − 1); 0 for a single run. */
  readonly std: number;
}

export function summarise(values: readonly number[]): Summary {
  if (values.length === 0) throw new RangeError('nothing to summarise');
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  if (values.length === 1) return { mean, std: 0 };
  const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1);
  return { mean, std: Math.sqrt(variance) };
}

/** Mean and std of every metric present in all runs. */
export function summariseRuns(runs: readonly MetricValues[]): Readonly<Record<string, Summary>> {
  const first = runs[0];
  if (first === undefined) throw new RangeError('no runs to summarise');
  const summary: Record<string, Summary> = {};
  for (const key of Object.keys(first)) {
    if (runs.every((run) => run[key] !== undefined))
      summary[key] = summarise(runs.map((run) => run[key] ?? 0));
  }
  return summary;
}

export interface TableModelRow {
  readonly model: string;
  readonly metrics: Readonly<Record<string, Summary>>;
  readonly trainSeconds: Summary;
  readonly evalSeconds: Summary;
}

function formatSummary(summary: Summary | undefined, runs: number): string {
  if (summary === undefined) return '—';
  return runs > 1 ? `${summary.mean.toFixed(4)} ± ${summary.std.toFixed(4)}` : summary.mean.toFixed(4);
}

/**
 * A fixed-width table: measured rows (mean ± std over seeds) then the published rows, on the
 * protocol's published columns, followed by the extra metrics and timings of the measured rows.
 */
export function formatTable(options: {
  readonly title: string;
  readonly columns: readonly string[];
  readonly extraColumns: readonly string[];
  readonly rows: readonly TableModelRow[];
  readonly runs: number;
  readonly published: readonly PublishedRow[];
  readonly publishedSource: string;
}): string {
  const { columns, extraColumns, rows, runs } = options;
  const header = ['model', ...columns, ...extraColumns, 'train s', 'eval s'];
  const body: string[][] = rows.map((row) => [
    row.model,
    ...columns.map((column) => formatSummary(row.metrics[column], runs)),
    ...extraColumns.map((column) => formatSummary(row.metrics[column], runs)),
    row.trainSeconds.mean.toFixed(1),
    row.evalSeconds.mean.toFixed(1),
  ]);
  const published: string[][] = options.published.map((row) => [
    `${row.model} (published)`,
    ...columns.map((column) => {
      const value = row.values[column];
      return value === null || value === undefined ? '—' : value.toFixed(4);
    }),
    ...extraColumns.map(() => ''),
    '',
    '',
  ]);
  const all = [header, ...body, ...published];
  const widths = header.map((_, column) => Math.max(...all.map((line) => (line[column] ?? '').length)));
  const render = (line: readonly string[]): string =>
    line
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join('  ');
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [
    options.title,
    render(header),
    rule,
    ...body.map(render),
    rule,
    ...published.map(render),
    `published: ${options.publishedSource}`,
  ].join('\n');
}
