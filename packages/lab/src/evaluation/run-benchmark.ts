/**
 * One protocol, several models, several seeds: split, train, evaluate, summarise. No I/O of its
 * own (the CLI prints and writes), so tests can run it on a small dataset.
 */
import { ERROR_CODES, PermanentError } from '@recstream/errors';
import { evaluate, itemCounts, type InteractionDataset } from '@recstream/models';
import { modelFactory, type Hyperparameters } from './model-registry.js';
import type { EvaluationTarget, Protocol } from './protocols.js';
import { flattenMetrics, summarise, summariseRuns, type MetricValues, type Summary } from './report.js';

export interface BenchmarkOptions {
  readonly models: readonly string[];
  readonly seeds: readonly number[];
  readonly ks: readonly number[];
  readonly target: EvaluationTarget;
  readonly batchSize?: number;
  /** Per-model overrides on top of the protocol's hyperparameters. */
  readonly overrides?: Readonly<Record<string, Hyperparameters>>;
  readonly onPhase?: (phase: BenchmarkPhase) => void;
}

/** Progress of one phase (train or evaluate) of one model and seed. */
export interface BenchmarkPhase {
  readonly model: string;
  readonly seed: number;
  readonly phase: 'train' | 'evaluate';
  readonly done: number;
  readonly total: number;
}

export interface ModelRun {
  readonly seed: number;
  readonly trainSeconds: number;
  readonly evalSeconds: number;
  readonly metrics: MetricValues;
}

export interface ModelResult {
  readonly model: string;
  readonly hyperparameters: Hyperparameters;
  readonly runs: readonly ModelRun[];
  readonly mean: Readonly<Record<string, number>>;
  readonly std: Readonly<Record<string, number>>;
  readonly trainSeconds: Summary;
  readonly evalSeconds: Summary;
}

export interface BenchmarkReport {
  readonly protocol: string;
  readonly description: string;
  readonly target: EvaluationTarget;
  readonly dataset: {
    readonly name: string;
    readonly numUsers: number;
    readonly numItems: number;
    readonly interactions: number;
  };
  readonly seeds: readonly number[];
  readonly ks: readonly number[];
  readonly cases: number;
  readonly models: readonly ModelResult[];
  readonly published: { readonly source: string; readonly rows: Protocol['published'] };
}

function seconds(since: number): number {
  return (performance.now() - since) / 1000;
}

export async function runBenchmark(
  protocol: Protocol,
  dataset: InteractionDataset,
  options: BenchmarkOptions,
): Promise<BenchmarkReport> {
  // Resolve every factory first: an unknown model fails before hours of training.
  const factories = options.models.map((model) => ({ model, factory: modelFactory(model) }));
  const stray = Object.keys(options.overrides ?? {}).filter((model) => !options.models.includes(model));
  if (stray.length > 0)
    throw new PermanentError(
      ERROR_CODES.invalidInput,
      `hyperparameters given for ${stray.join(', ')}, which ${stray.length === 1 ? 'is' : 'are'} not evaluated`,
    );
  const runs = new Map<string, ModelRun[]>(options.models.map((model) => [model, []]));
  let cases = 0;
  for (const seed of options.seeds) {
    const split = protocol.split(dataset, seed);
    const evalCases = options.target === 'validation' ? split.validation : split.test;
    if (evalCases === undefined)
      throw new PermanentError(
        ERROR_CODES.invalidInput,
        `protocol ${protocol.name} has no ${options.target} set`,
      );
    cases = evalCases.length;
    const itemPopularity = itemCounts(split.train, dataset.numItems);
    for (const { model, factory } of factories) {
      const report = (phase: BenchmarkPhase['phase']) => (done: number, total: number) =>
        options.onPhase?.({ model, seed, phase, done, total });
      const hyperparameters = { ...protocol.hyperparameters[model], ...options.overrides?.[model] };
      const trainStart = performance.now();
      const recommender = await factory({
        train: split.train,
        numItems: dataset.numItems,
        dataset,
        seed,
        ...(options.target === 'test' && split.validation !== undefined
          ? { validation: split.validation }
          : {}),
        onProgress: report('train'),
        hyperparameters,
      });
      const trainSeconds = seconds(trainStart);
      const evalStart = performance.now();
      const evaluation = await evaluate(recommender, evalCases, {
        ks: options.ks,
        itemPopularity,
        ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
        ...(dataset.itemAttributes === undefined ? {} : { itemAttributes: dataset.itemAttributes }),
        onProgress: report('evaluate'),
      });
      runs
        .get(model)
        ?.push({ seed, trainSeconds, evalSeconds: seconds(evalStart), metrics: flattenMetrics(evaluation) });
    }
  }

  return {
    protocol: protocol.name,
    description: protocol.description,
    target: options.target,
    dataset: {
      name: dataset.name,
      numUsers: dataset.numUsers,
      numItems: dataset.numItems,
      interactions: dataset.sequences.reduce((sum, sequence) => sum + sequence.items.length, 0),
    },
    seeds: options.seeds,
    ks: options.ks,
    cases,
    models: options.models.map((model) => {
      const modelRuns = runs.get(model) ?? [];
      const summary = summariseRuns(modelRuns.map((run) => run.metrics));
      return {
        model,
        hyperparameters: { ...protocol.hyperparameters[model], ...options.overrides?.[model] },
        runs: modelRuns,
        mean: Object.fromEntries(Object.entries(summary).map(([key, value]) => [key, value.mean])),
        std: Object.fromEntries(Object.entries(summary).map(([key, value]) => [key, value.std])),
        trainSeconds: summarise(modelRuns.map((run) => run.trainSeconds)),
        evalSeconds: summarise(modelRuns.map((run) => run.evalSeconds)),
      };
    }),
    published: { source: protocol.publishedSource, rows: protocol.published },
  };
}
