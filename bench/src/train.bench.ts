/**
 * `pnpm bench:train` — training throughput and scoring speed of the sequence model (SASRec-style,
 * sparse embedding tables) on Amazon Beauty, printing JSON:
 *   - training: sequences (users) and target positions per second over BENCH_EPOCHS epochs;
 *   - scoring latency of one user against 1,000 candidates (`scoreCandidates`), p50/p90/p99;
 *   - batch scoring throughput over the full catalogue (`scoreAll`, BENCH_BATCH users per call);
 *   - the ranking model: training throughput in candidate lists and rows per second, and the
 *     latency of scoring one list, on lists of the two-stage system's shape (RANKER_LIST_SIZE
 *     candidates × the r1 features). Its speed does not depend on what the features say, so the
 *     lists are seeded random values with one positive each; its quality is `pnpm eval`'s.
 * Quality is not measured here (that is `pnpm eval`); the model is trained only long enough to be
 * representative, since its speed does not depend on how well it ranks.
 *
 * Options (environment): BENCH_DATASET_DIR (default ../shared/datasets/amazon-beauty from the
 * repository root), BENCH_EPOCHS (default 2), BENCH_REQUESTS (single-user requests, default 500),
 * BENCH_BATCH (default 256), BENCH_SEED (default 42).
 */
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  BPR_DEFAULTS,
  type BprOptions,
  ITEM_KNN_DEFAULTS,
  type ItemKnnOptions,
  leaveOneOutSplit,
  loadAmazonBeauty,
  PROTOCOLS,
  RANKING_FEATURE_COUNT,
  type RankingGroups,
  resolveHyperparameters,
  trainBpr,
  trainItemKnn,
  trainPopularity,
  trainRanker,
} from '@recstream/lab';
import {
  assertNativeBackend,
  createRandom,
  type InteractionDataset,
  loadTensorFlow,
  type TensorFlow,
  trainSequenceModel,
  type UserSequence,
} from '@recstream/models';
import { reportHeader } from './report.js';
import { round, summarizeLatencies } from './stats.js';

const CANDIDATES = 1000;
/** Candidates per list in the two-stage system (packages/lab/src/ranking/two-stage.ts). */
const RANKER_LIST_SIZE = 150;
const RANKER_LISTS = 4000;
const RANKER_EPOCHS = 3;

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name}: not a positive integer: ${raw}`);
  return value;
}

const progress = (message: string) => process.stderr.write(`[bench:train] ${message}\n`);

/**
 * Training throughput of the baselines with the settings `pnpm eval` uses on this protocol, in
 * training interactions processed per second (BPR: × its epochs, each interaction one SGD step).
 */
function baselineThroughput(dataset: InteractionDataset, train: readonly UserSequence[], seed: number) {
  const interactions = train.reduce((sum, sequence) => sum + sequence.items.length, 0);
  const settings = PROTOCOLS['amazon-beauty']?.hyperparameters ?? {};
  const knn = resolveHyperparameters<ItemKnnOptions>('itemknn', ITEM_KNN_DEFAULTS, settings['itemknn']);
  const bpr = resolveHyperparameters<BprOptions>('bpr', BPR_DEFAULTS, settings['bpr']);
  const timed = (run: () => void) => {
    const start = performance.now();
    run();
    return (performance.now() - start) / 1000;
  };
  const rows = [
    {
      model: 'popularity',
      passes: 1,
      seconds: timed(() => trainPopularity(train, dataset.numItems, { seed })),
    },
    {
      model: 'itemknn',
      passes: 1,
      seconds: timed(() => trainItemKnn(train, dataset.numItems, { seed }, knn)),
    },
    {
      model: 'bpr',
      passes: bpr.epochs,
      seconds: timed(() => trainBpr(train, dataset.numItems, { seed }, bpr)),
    },
  ];
  return rows.map(({ model, passes, seconds }) => ({
    model,
    training: {
      wall_ms: round(seconds * 1000),
      interactions,
      passes,
      interactions_per_s: round((interactions * passes) / seconds, 0),
    },
  }));
}

/** Seeded lists of the two-stage system's shape, one positive each. */
function syntheticLists(lists: number, seed: number): RankingGroups {
  const random = createRandom(seed);
  const width = RANKING_FEATURE_COUNT;
  const features = new Float32Array(lists * RANKER_LIST_SIZE * width);
  for (let i = 0; i < features.length; i += 1) features[i] = random.normal();
  const labels = new Float32Array(lists * RANKER_LIST_SIZE);
  for (let list = 0; list < lists; list += 1)
    labels[list * RANKER_LIST_SIZE + random.int(RANKER_LIST_SIZE)] = 1;
  return { size: RANKER_LIST_SIZE, width, features, labels };
}

function rankerSpeed(tf: TensorFlow, seed: number, requests: number) {
  const lists = syntheticLists(RANKER_LISTS, seed);
  const started = performance.now();
  const ranker = trainRanker({ train: lists, seed, tf, hyper: { maxEpochs: RANKER_EPOCHS } });
  const wallMs = performance.now() - started;
  try {
    const rowValues = RANKER_LIST_SIZE * lists.width;
    const random = createRandom(seed + 1);
    const latencies: number[] = [];
    ranker.score(lists.features.subarray(0, rowValues)); // warm-up
    for (let i = 0; i < requests; i += 1) {
      const list = random.int(RANKER_LISTS);
      const start = performance.now();
      ranker.score(lists.features.subarray(list * rowValues, (list + 1) * rowValues));
      latencies.push(performance.now() - start);
    }
    return {
      model: 'ranker',
      hyper: ranker.hyper,
      training: {
        lists: ranker.training.trainGroups,
        list_size: RANKER_LIST_SIZE,
        features: lists.width,
        epochs: ranker.training.epochs,
        wall_ms: round(wallMs),
        rows_per_s: round(ranker.training.rowsPerSecond, 0),
        lists_per_s: round(ranker.training.rowsPerSecond / RANKER_LIST_SIZE),
      },
      [`scoring_1_list_x_${RANKER_LIST_SIZE}_candidates`]: summarizeLatencies(latencies),
    };
  } finally {
    ranker.dispose();
  }
}

async function main(): Promise<void> {
  const dir =
    process.env['BENCH_DATASET_DIR'] ??
    resolve(import.meta.dirname, '../../../shared/datasets/amazon-beauty');
  const epochs = intFromEnv('BENCH_EPOCHS', 2);
  const requests = intFromEnv('BENCH_REQUESTS', 500);
  const batch = intFromEnv('BENCH_BATCH', 256);
  const seed = intFromEnv('BENCH_SEED', 42);
  const tf = assertNativeBackend(loadTensorFlow());

  const dataset = await loadAmazonBeauty(dir);
  const split = leaveOneOutSplit(dataset);
  progress('training the baselines');
  const baselines = baselineThroughput(dataset, split.train, seed);
  progress(`training the ranker on ${RANKER_LISTS} lists of ${RANKER_LIST_SIZE}`);
  const ranker = rankerSpeed(tf, seed, requests);
  progress(`training ${epochs} epoch(s) on ${split.train.length} users × ${dataset.numItems} items`);
  const started = performance.now();
  const model = await trainSequenceModel({
    train: split.train,
    numItems: dataset.numItems,
    dataset,
    seed,
    tf,
    hyper: { maxEpochs: epochs },
    onEvent: (p) => {
      if (p.kind === 'epoch')
        progress(
          `epoch ${p.epoch}: loss ${p.loss.toFixed(3)}, ${Math.round(p.samplesPerSecond)} sequences/s`,
        );
    },
  });
  const trainWallMs = performance.now() - started;
  try {
    const random = createRandom(seed);
    const latencies: number[] = [];
    const candidates = new Int32Array(CANDIDATES);
    // Warm-up: builds the item-vector cache and compiles the scoring path.
    model.scoreCandidates(split.test[0]?.history ?? Int32Array.of(0), candidates);
    for (let i = 0; i < requests; i += 1) {
      const history = split.test[random.int(split.test.length)]?.history ?? Int32Array.of(0);
      for (let c = 0; c < CANDIDATES; c += 1) candidates[c] = random.int(dataset.numItems);
      const start = performance.now();
      model.scoreCandidates(history, candidates);
      latencies.push(performance.now() - start);
    }
    progress(`scored ${requests} single users against ${CANDIDATES} candidates`);

    const queries = split.test.map(({ user, history }) => ({ user, history }));
    const batchStart = performance.now();
    for (let start = 0; start < queries.length; start += batch)
      await model.scoreAll(queries.slice(start, start + batch));
    const batchMs = performance.now() - batchStart;
    progress(`scored ${queries.length} users against the full catalogue`);

    process.stdout.write(
      `${JSON.stringify(
        {
          ...reportHeader('train'),
          dataset: { name: dataset.name, users: dataset.numUsers, items: dataset.numItems },
          models: [
            {
              model: model.name,
              hyper: model.hyper,
              training: {
                epochs: model.training.epochs,
                wall_ms: round(trainWallMs),
                sequences_per_s: round(model.training.samplesPerSecond),
                positions_per_s: round(model.training.positionsPerSecond),
              },
              scoring_1_user_x_1000_candidates: summarizeLatencies(latencies),
              batch_scoring_full_catalogue: {
                users: queries.length,
                batch_size: batch,
                users_per_s: round((queries.length * 1000) / batchMs),
                scores_per_s: round((queries.length * dataset.numItems * 1000) / batchMs, 0),
              },
            },
            ranker,
            ...baselines,
          ],
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    model.dispose();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:train failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
