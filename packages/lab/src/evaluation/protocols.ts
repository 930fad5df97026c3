/**
 * The published evaluation protocols the harness reproduces: how a dataset is loaded and split,
 * which cut-offs are reported, the published numbers to compare against, and the baselines'
 * hyperparameters for that protocol. Numbers from other protocols (e.g. 100 sampled negatives)
 * are not comparable and are never listed here.
 */
import { loadAmazonBeauty } from '../datasets/amazon-beauty.js';
import { loadMovieLens100k } from '../datasets/movielens.js';
import type { EvalCase, InteractionDataset, UserSequence } from '@recstream/models';
import type { Hyperparameters } from './model-registry.js';
import { leaveOneOutSplit, stratifiedSplit } from './splits.js';

export type EvaluationTarget = 'test' | 'validation';

export interface ProtocolSplit {
  readonly train: readonly UserSequence[];
  readonly test: readonly EvalCase[];
  /** Present when the protocol has a validation set (for tuning without touching test). */
  readonly validation?: readonly EvalCase[];
}

/** A published result row; `null` where the source did not report the metric. */
export interface PublishedRow {
  readonly model: string;
  readonly values: Readonly<Record<string, number | null>>;
}

export interface Protocol {
  readonly name: string;
  readonly dataset: string;
  readonly description: string;
  readonly load: (dir: string) => Promise<InteractionDataset>;
  /** Deterministic per seed. */
  readonly split: (dataset: InteractionDataset, seed: number) => ProtocolSplit;
  readonly ks: readonly number[];
  /** Metric keys (as in the report, e.g. `NDCG@10`) of the published table, in its column order. */
  readonly publishedMetrics: readonly string[];
  readonly published: readonly PublishedRow[];
  readonly publishedSource: string;
  /** Per-model hyperparameters for this protocol (the registry's defaults otherwise). */
  readonly hyperparameters: Readonly<Record<string, Hyperparameters>>;
}

const beautyLeaveOneOut: Protocol = {
  name: 'amazon-beauty-loo-full',
  dataset: 'amazon-beauty',
  description:
    'Amazon Beauty, leave-one-out per user (last item = test, second-to-last = validation, the rest = train), full ranking over all items, the history masked',
  load: loadAmazonBeauty,
  split: (dataset) => leaveOneOutSplit(dataset),
  ks: [10, 20],
  publishedMetrics: ['HR@10', 'NDCG@10', 'HR@20', 'NDCG@20'],
  // The published PopRec row is reproduced to the fourth decimal by popularity counted over the
  // whole dataset, test items included; our `popularity` counts the training split only (no
  // leakage) and so scores a little lower (HR@10 0.0115). See quality.test.ts.
  publishedSource: 'S3-Rec (Zhou et al., CIKM 2020), full-ranking table',
  published: [
    { model: 'PopRec', values: { 'HR@10': 0.0152, 'NDCG@10': 0.0068, 'HR@20': 0.0217, 'NDCG@20': 0.0084 } },
    { model: 'GRU4Rec', values: { 'HR@10': 0.0283, 'NDCG@10': 0.0137, 'HR@20': 0.0479, 'NDCG@20': 0.0187 } },
    { model: 'BERT4Rec', values: { 'HR@10': 0.0347, 'NDCG@10': 0.017, 'HR@20': 0.0599, 'NDCG@20': 0.0233 } },
    { model: 'SASRec', values: { 'HR@10': 0.0605, 'NDCG@10': 0.0318, 'HR@20': 0.0902, 'NDCG@20': 0.0394 } },
    { model: 'S3-Rec', values: { 'HR@10': 0.0647, 'NDCG@10': 0.0327, 'HR@20': 0.0994, 'NDCG@20': 0.0414 } },
  ],
  hyperparameters: {
    // Next-item prediction: what the user did last matters most. Chosen on the validation items
    // (seed 1, NDCG@10): jaccard 0.0508 vs cosine 0.0475; decay 0.5 vs 1 / 0.8 / 0.3: 0.0508 vs
    // 0.0397 / 0.0458 / 0.0459; 500 neighbours vs 100: +0.0003.
    itemknn: { similarity: 'jaccard', neighbours: 500, recencyDecay: 0.5 },
    // Chosen on the validation items (seed 1, NDCG@10): cornac's ML-100K settings scaled to 64
    // factors stay at popularity level here (lr 0.01, 100 epochs: 0.0085); lr 0.05 for 60 epochs
    // gives 0.0200, with L2 0.01 0.0206; 128 factors 0.0190. On test it drops to ~0.013: BPR
    // ignores the query history, so the validation item (in the test history, not in training)
    // never reaches its user vector, while item-KNN and sequence models use it.
    bpr: { factors: 64, learningRate: 0.05, regularization: 0.01, epochs: 60 },
  },
};

const movielensStratified: Protocol = {
  name: 'ml-100k-stratified-75-25-full',
  dataset: 'ml-100k',
  description:
    'MovieLens 100K, per-user stratified random split 75% train / 25% test (seeded), top-10 over all items the user did not rate in training, every test rating relevant',
  load: loadMovieLens100k,
  split: (dataset, seed) => stratifiedSplit(dataset, { trainRatio: 0.75, seed }),
  ks: [10],
  publishedMetrics: ['NDCG@10', 'Precision@10', 'Recall@10'],
  publishedSource: 'microsoft/recommenders algorithm comparison (MovieLens 100K)',
  published: [
    { model: 'SAR', values: { 'NDCG@10': 0.3825, 'Precision@10': 0.3308, 'Recall@10': 0.1764 } },
    { model: 'NCF', values: { 'NDCG@10': 0.3961, 'Precision@10': null, 'Recall@10': 0.1808 } },
    { model: 'LightGCN', values: { 'NDCG@10': 0.4198, 'Precision@10': null, 'Recall@10': 0.1443 } },
    { model: 'BPR', values: { 'NDCG@10': 0.442, 'Precision@10': 0.3882, 'Recall@10': 0.2125 } },
    { model: 'BiVAE', values: { 'NDCG@10': 0.4751, 'Precision@10': null, 'Recall@10': 0.2191 } },
  ],
  hyperparameters: {
    // Unordered ratings: the whole history weighs the same; every co-rated item is a neighbour.
    itemknn: { similarity: 'cosine', neighbours: 2000, recencyDecay: 1 },
    // cornac's settings in the published comparison.
    bpr: { factors: 200, learningRate: 0.01, regularization: 0.001, epochs: 100 },
  },
};

export const PROTOCOLS: Readonly<Record<string, Protocol>> = {
  'amazon-beauty': beautyLeaveOneOut,
  'ml-100k': movielensStratified,
};
