/**
 * Offline evaluation of recommenders under a published protocol, full ranking.
 *
 *   pnpm eval --dataset amazon-beauty|ml-100k [--path ../shared/datasets/<dataset>]
 *             [--models popularity,itemknn,bpr] [--seeds 1,2,3] [--k 10,20]
 *             [--split test|validation] [--set bpr.epochs=50 ...] [--batch-size 256] [--out report.json]
 *
 * Progress bars go to stderr (a line per phase when stderr is not a terminal), then the table of
 * measured rows (mean ± std over seeds) beside the published ones; the full JSON report goes to
 * --out, or to stdout when --out is not given.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import { Command, InvalidArgumentError, Option } from 'commander';
import { errorMessage } from '@recstream/errors';
import { MODEL_REGISTRY, type Hyperparameters } from '../evaluation/model-registry.js';
import { PROTOCOLS } from '../evaluation/protocols.js';
import { formatTable } from '../evaluation/report.js';
import { runBenchmark, type BenchmarkPhase, type BenchmarkReport } from '../evaluation/run-benchmark.js';

function parseIntegers(what: string, minimum: number) {
  return (value: string): number[] => {
    const numbers = value.split(',').map((part) => Number(part.trim()));
    if (numbers.length === 0 || numbers.some((number) => !Number.isSafeInteger(number) || number < minimum))
      throw new InvalidArgumentError(`${what} must be a comma-separated list of integers >= ${minimum}`);
    return numbers;
  };
}

function parsePositive(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1)
    throw new InvalidArgumentError(`not a positive integer: ${value}`);
  return number;
}

/** `model.key=value`; numbers and booleans are typed, anything else stays a string. */
function parseOverride(value: string, previous: Record<string, Record<string, string | number | boolean>>) {
  const match = /^([\w-]+)\.(\w+)=(.+)$/.exec(value);
  if (match === null) throw new InvalidArgumentError(`expected model.key=value, got '${value}'`);
  const [, model = '', key = '', raw = ''] = match;
  const typed =
    raw === 'true' ? true : raw === 'false' ? false : Number.isFinite(Number(raw)) ? Number(raw) : raw;
  return { ...previous, [model]: { ...previous[model], [key]: typed } };
}

interface Options {
  dataset: string;
  path?: string;
  models: string;
  seeds: number[];
  k?: number[];
  split: 'test' | 'validation';
  set: Record<string, Hyperparameters>;
  batchSize?: number;
  out?: string;
}

/** Bars on a terminal; otherwise one line when each phase starts, so CI logs stay readable. */
function createProgress(): { onPhase: (phase: BenchmarkPhase) => void; stop: () => void } {
  if (!process.stderr.isTTY) {
    let last = '';
    return {
      onPhase({ model, seed, phase, total }) {
        const key = `${model} seed ${seed} ${phase}`;
        if (key !== last) process.stderr.write(`${key} (${total})\n`);
        last = key;
      },
      stop: () => undefined,
    };
  }
  const bars = new MultiBar(
    {
      stream: process.stderr,
      format: '{label} [{bar}] {percentage}% | {value}/{total} | {duration_formatted}',
      hideCursor: true,
    },
    Presets.shades_classic,
  );
  const open = new Map<string, SingleBar>();
  return {
    onPhase({ model, seed, phase, done, total }) {
      const label = `${model.padEnd(12)} seed ${seed} ${phase.padEnd(8)}`;
      let bar = open.get(label);
      if (bar === undefined) {
        bar = bars.create(total, 0, { label });
        open.set(label, bar);
      }
      bar.setTotal(total);
      bar.update(done, { label });
    },
    stop: () => bars.stop(),
  };
}

function table(report: BenchmarkReport, publishedMetrics: readonly string[]): string {
  const first = report.ks[0] ?? 10;
  const extra = ['MRR', `Recall@${first}`, `Coverage@${first}`, `ILD@${first}`, `Novelty@${first}`].filter(
    (metric) => !publishedMetrics.includes(metric),
  );
  return formatTable({
    title: `${report.protocol} (${report.target}, ${report.cases} cases, seeds ${report.seeds.join(',')}): ${report.description}`,
    columns: publishedMetrics.filter((metric) => report.ks.includes(Number(metric.split('@')[1]))),
    extraColumns: extra,
    runs: report.seeds.length,
    rows: report.models.map((result) => ({
      model: result.model,
      metrics: Object.fromEntries(
        Object.keys(result.mean).map((key) => [
          key,
          { mean: result.mean[key] ?? 0, std: result.std[key] ?? 0 },
        ]),
      ),
      trainSeconds: result.trainSeconds,
      evalSeconds: result.evalSeconds,
    })),
    published: report.published.rows,
    publishedSource: report.published.source,
  });
}

async function main(argv: readonly string[]): Promise<void> {
  const program = new Command('eval')
    .description('Offline full-ranking evaluation of recommenders under a published protocol')
    .addOption(
      new Option('--dataset <name>', 'protocol / dataset')
        .choices(Object.keys(PROTOCOLS))
        .makeOptionMandatory(),
    )
    .option('--path <dir>', 'dataset folder (default ../shared/datasets/<dataset>)')
    .option(
      '--models <names>',
      `comma-separated (${Object.keys(MODEL_REGISTRY).join(', ')})`,
      Object.keys(MODEL_REGISTRY).join(','),
    )
    .option('--seeds <list>', 'comma-separated seeds', parseIntegers('seeds', 0), [1, 2, 3])
    .option('--k <list>', "cut-offs (default: the protocol's)", parseIntegers('k', 1))
    .addOption(
      new Option('--split <set>', 'evaluate on the test or the validation cases')
        .choices(['test', 'validation'])
        .default('test'),
    )
    .option('--set <model.key=value>', 'override a hyperparameter (repeatable)', parseOverride, {})
    .option('--batch-size <n>', 'cases scored per call', parsePositive)
    .option('--out <file>', 'write the JSON report here instead of stdout')
    .parse(argv, { from: 'user' });
  const options = program.opts<Options>();
  const protocol = PROTOCOLS[options.dataset];
  if (protocol === undefined) throw new Error(`unknown dataset ${options.dataset}`);
  const models = options.models
    .split(',')
    .map((model) => model.trim())
    .filter((model) => model !== '');

  const dir = resolve(options.path ?? `../shared/datasets/${protocol.dataset}`);
  const dataset = await protocol.load(dir);
  process.stderr.write(
    `${dataset.name}: ${dataset.numUsers} users, ${dataset.numItems} items, from ${dir}\n`,
  );
  const progress = createProgress();
  let report: BenchmarkReport;
  try {
    report = await runBenchmark(protocol, dataset, {
      models,
      seeds: options.seeds,
      ks: options.k ?? protocol.ks,
      target: options.split,
      overrides: options.set,
      onPhase: progress.onPhase,
      ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
    });
  } finally {
    progress.stop();
  }
  process.stderr.write(`\n${table(report, protocol.publishedMetrics)}\n`);
  const json = `${JSON.stringify(report, null, 2)}\n`;
  if (options.out === undefined) process.stdout.write(json);
  else {
    await writeFile(options.out, json);
    process.stderr.write(`report written to ${options.out}\n`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`eval failed: ${errorMessage(error)}\n`);
  process.exitCode = 1;
});
