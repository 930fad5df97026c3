/**
 * The popularity baseline (PopRec): every user gets the items with the most training
 * interactions. The floor any personalised model must clear.
 */
import {
  checkTrainingData,
  itemCounts,
  type Recommender,
  type ScoreQuery,
  type TrainContext,
  type UserSequence,
} from '@recstream/models';

export class PopularityRecommender implements Recommender {
  readonly name = 'popularity';
  readonly numItems: number;
  private readonly scores: Float32Array;

  constructor(counts: Float64Array) {
    this.numItems = counts.length;
    this.scores = Float32Array.from(counts);
  }

  scoreAll(queries: readonly ScoreQuery[]): Promise<Float32Array> {
    const out = new Float32Array(queries.length * this.numItems);
    for (let row = 0; row < queries.length; row += 1) out.set(this.scores, row * this.numItems);
    return Promise.resolve(out);
  }
}

export function trainPopularity(
  train: readonly UserSequence[],
  numItems: number,
  context: TrainContext,
): PopularityRecommender {
  checkTrainingData(train, numItems);
  const model = new PopularityRecommender(itemCounts(train, numItems));
  context.onProgress?.(1, 1);
  return model;
}
