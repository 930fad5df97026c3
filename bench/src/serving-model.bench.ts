/**
 * `pnpm bench:serving-model` — what the served model costs per request and per version, on this
 * machine, at production size (hidden 64, two blocks, histories of up to 50 items):
 * - encoding one shopper with serving's JS encoder, by history length, against the same encoding
 *   through TensorFlow (what serving did before);
 * - the nearest-item index per catalog size: build time when a version loads, query time for the
 *   candidate depth serving asks for (40 for a top-20, a few items skipped), recall@20 against exact search,
 *   and the exact search it replaces.
 *
 * The model is freshly initialised, not trained: the costs depend on its shape, not its weights.
 * Its item vectors are random directions, the hardest case for a graph index; trained embeddings,
 * which cluster, are found with higher recall (the serving process reports the live version's own
 * recall as `rec_serving_model_index_recall`).
 *
 * Options (environment): BENCH_CATALOGS (50000,500000), BENCH_QUERIES (300), BENCH_SEED (1).
 */
import { performance } from 'node:perf_hooks';
import {
  DEFAULT_SEQUENCE_HYPER_PARAMETERS,
  SequenceEncoder,
  SequenceRecommender,
  loadTensorFlow,
} from '@recstream/models';
import { ItemIndex } from '@recstream/serving/models';
import { listFromEnv } from './env.js';
import { reportHeader } from './report.js';
import { percentile, round } from './stats.js';
import { seededRandom } from './feature-workload.js';

/** Candidates serving asks the index for (depthFor(20)), and the items a request typically skips. */
const DEPTH = 40;
const SKIPPED = 30;
const LENGTHS = [5, 20, 50];

const progress = (message: string, fields: Record<string, unknown> = {}) =>
  process.stderr.write(`[bench:serving-model] ${message} ${JSON.stringify(fields)}\n`);

/** p50/p99 in ms of `run` over `times` calls. */
function timeCalls(times: number, run: (i: number) => void) {
  const samples: number[] = [];
  for (let i = 0; i < times; i += 1) {
    const started = performance.now();
    run(i);
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return { p50_ms: round(percentile(samples, 50), 3), p99_ms: round(percentile(samples, 99), 3) };
}

function main(): void {
  const catalogs = listFromEnv('BENCH_CATALOGS', '50000,500000', { integers: true });
  const [queries = 300] = listFromEnv('BENCH_QUERIES', '300', { integers: true });
  const [seed = 1] = listFromEnv('BENCH_SEED', '1', { integers: true });
  const tf = loadTensorFlow();
  const hyper = { ...DEFAULT_SEQUENCE_HYPER_PARAMETERS, useAttributes: false };
  const random = seededRandom(seed);
  const results = [];
  for (const numItems of catalogs) {
    progress('initialising a model', { items: numItems });
    const model = SequenceRecommender.create(tf, hyper, { numItems }, seed);
    // Every item gets a row of its own (a fresh table creates rows as items are trained).
    model.itemTable.admitAll(Array.from({ length: numItems }, (_, i) => i));
    const vectors = model.itemVectors();
    const encoder = new SequenceEncoder(model.hyper, vectors, model.denseValues());
    const history = (length: number) => Int32Array.from({ length }, () => Math.floor(random() * numItems));

    const encoding = Object.fromEntries(
      LENGTHS.map((length) => {
        const histories = Array.from({ length: queries }, () => history(length));
        return [
          `history_${length}`,
          {
            js: timeCalls(queries, (i) => encoder.encode(histories[i] ?? Int32Array.of(0))),
            tensorflow: timeCalls(Math.min(queries, 100), (i) =>
              model.encode([histories[i] ?? Int32Array.of(0)]),
            ),
          },
        ];
      }),
    );
    progress('building the index', { items: numItems });
    const buildStarted = performance.now();
    const index = ItemIndex.build(vectors, hyper.hiddenDim, { buildThreads: 1 });
    const buildMs = performance.now() - buildStarted;
    const shoppers = Array.from({ length: queries }, () => encoder.encode(history(20)));
    const skip = (item: number) => item % 40 === 0;
    const search = timeCalls(queries, (i) =>
      index.nearest(shoppers[i] ?? new Float32Array(hyper.hiddenDim), DEPTH, skip, SKIPPED),
    );
    const exact = timeCalls(Math.min(queries, 50), (i) =>
      index.exact(shoppers[i] ?? new Float32Array(hyper.hiddenDim), DEPTH, skip),
    );
    const recall = index.recallAt(shoppers.slice(0, 50), 20);
    results.push({
      items: numItems,
      encode_one_shopper: encoding,
      index: {
        kind: index.approximate ? 'hnsw' : 'exact',
        build_s: round(buildMs / 1000, 2),
        build_threads: 1,
        query_top_40: search,
        exact_top_40: exact,
        recall_at_20: round(recall, 3),
      },
    });
    model.dispose();
  }
  const report = {
    ...reportHeader('serving-model'),
    setup: { hidden: hyper.hiddenDim, blocks: hyper.blocks, max_length: hyper.maxLength, queries },
    catalogs: results,
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

try {
  main();
} catch (error) {
  process.stderr.write(
    `bench:serving-model failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
}
