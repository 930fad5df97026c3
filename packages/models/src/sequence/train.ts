/**
 * Training entry of the sequence model, as the evaluation CLI calls it: epochs of next-item
 * batches, a full-ranking validation (NDCG@10, history masked) every `evalEvery` epochs, early
 * stopping after `patience` validations without improvement, and the best epoch's weights restored
 * at the end. Everything random (initialisation, shuffles, negatives, dropout) comes from `seed`.
 */
import { ERROR_CODES, PermanentError } from '@recstream/errors';
import { assertNativeBackend, loadTensorFlow, type TensorFlow } from '../backend.js';
import { checkTrainingData, itemCounts } from '../training-data.js';
import type { TableSnapshot } from '../embedding/sparse-embedding-table.js';
import { SparseEmbeddingTable } from '../embedding/sparse-embedding-table.js';
import { evaluate, type EvalCase } from '../evaluation/evaluate.js';
import { createRandom } from '../random.js';
import type { InteractionDataset, UserSequence } from '../recommender.js';
import { epochBatches, trainingSequences } from './batches.js';
import { resolveSequenceHyperParameters, type SequenceHyperParameters } from './hyper-parameters.js';
import { popularitySampler, uniformSampler, type NegativeSampler } from './negative-sampler.js';
import { SequenceRecommender } from './sequence-model.js';

export type SequenceTrainingProgress =
  | {
      readonly kind: 'epoch';
      readonly epoch: number;
      readonly loss: number;
      readonly samplesPerSecond: number;
      readonly elapsedMs: number;
    }
  | {
      readonly kind: 'validation';
      readonly epoch: number;
      readonly ndcg10: number;
      readonly hitRate10: number;
      readonly best: boolean;
      readonly elapsedMs: number;
    };

export interface SequenceTrainingContext {
  readonly train: readonly UserSequence[];
  /** Leave-one-out validation cases; without them the model trains for `maxEpochs` (or `maxTrainMs`). */
  readonly validation?: readonly EvalCase[] | undefined;
  readonly numItems: number;
  /** Supplies the item attributes (brand, categories) when it has them. */
  readonly dataset?: Pick<InteractionDataset, 'itemAttributes' | 'numAttributes'> | undefined;
  readonly seed: number;
  readonly hyper?: Partial<SequenceHyperParameters> | undefined;
  /** Epochs done out of `maxEpochs` (the evaluation harness's progress signature). */
  readonly onProgress?: ((done: number, total: number) => void) | undefined;
  /** Each epoch's loss and speed, and each validation's result. */
  readonly onEvent?: ((event: SequenceTrainingProgress) => void) | undefined;
  /** tfjs-node; loaded (and checked to be native) when absent. */
  readonly tf?: TensorFlow | undefined;
}

/** What training measured, for the model manifest and reports. */
export interface SequenceTrainingSummary {
  readonly epochs: number;
  readonly bestEpoch: number;
  readonly trainMs: number;
  /** Training sequences (users) per second over all epochs, validation excluded. */
  readonly samplesPerSecond: number;
  /** Target positions (next-item predictions) per second. */
  readonly positionsPerSecond: number;
  readonly validation?: {
    readonly ndcg10: number;
    readonly hitRate10: number;
    readonly ndcg20: number;
    readonly hitRate20: number;
  };
  readonly stoppedBy: 'patience' | 'maxEpochs' | 'maxTrainMs';
}

export type TrainedSequenceModel = SequenceRecommender & { readonly training: SequenceTrainingSummary };

interface Checkpoint {
  readonly items: TableSnapshot;
  readonly attributes: TableSnapshot;
  readonly dense: Map<string, Float32Array>;
}

function checkpoint(model: SequenceRecommender): Checkpoint {
  return {
    items: model.itemTable.snapshot(),
    attributes: model.attributeTable.snapshot(),
    dense: model.denseValues(),
  };
}

function restore(tf: TensorFlow, model: SequenceRecommender, saved: Checkpoint): SequenceRecommender {
  const restored = new SequenceRecommender(tf, {
    hyper: model.hyper,
    catalog: model.catalogue,
    seed: model.seed,
    itemTable: SparseEmbeddingTable.fromSnapshot(saved.items),
    attributeTable: SparseEmbeddingTable.fromSnapshot(saved.attributes),
    dense: saved.dense,
  });
  model.dispose();
  return restored;
}

export async function trainSequenceModel(context: SequenceTrainingContext): Promise<TrainedSequenceModel> {
  const tf = assertNativeBackend(context.tf ?? loadTensorFlow());
  const hyper = resolveSequenceHyperParameters(context.hyper);
  const { numItems, seed } = context;
  checkTrainingData(context.train, numItems);
  const attributes = context.dataset?.itemAttributes;
  if (attributes !== undefined && attributes.length !== numItems) {
    throw new PermanentError(
      ERROR_CODES.invalidInput,
      `itemAttributes has ${attributes.length} entries for ${numItems} items`,
    );
  }
  const sequences = trainingSequences(context.train, hyper.maxLength);
  if (sequences.length === 0)
    throw new PermanentError(ERROR_CODES.invalidInput, 'no training sequence has two or more items');
  const validation =
    context.validation !== undefined && context.validation.length > 0 ? context.validation : undefined;

  const random = createRandom(seed);
  const shuffleRandom = random.fork();
  const negativeRandom = random.fork();
  const dropoutRandom = random.fork();
  const nextSeed = (): number => dropoutRandom.int(2 ** 31);
  const sampler: NegativeSampler =
    hyper.negativeSampling === 'popularity'
      ? popularitySampler(itemCounts(context.train, numItems))
      : uniformSampler(numItems);
  const logQ =
    hyper.negativeSampling === 'popularity' ? (item: number): number => sampler.logQ(item) : undefined;
  const shuffle = (): number => shuffleRandom.float();
  const negativeDraw = (): number => negativeRandom.float();

  let model = SequenceRecommender.create(
    tf,
    hyper,
    { numItems, itemAttributes: attributes, numAttributes: context.dataset?.numAttributes },
    seed,
  );
  const started = performance.now();
  let trainMs = 0;
  let samples = 0;
  let positions = 0;
  let best:
    | {
        epoch: number;
        ndcg10: number;
        hitRate10: number;
        ndcg20: number;
        hitRate20: number;
        saved: Checkpoint;
      }
    | undefined;
  let sinceBest = 0;
  let epoch = 0;
  let stoppedBy: SequenceTrainingSummary['stoppedBy'] = 'maxEpochs';
  const negatives = new Int32Array(hyper.negatives);

  try {
    while (epoch < hyper.maxEpochs) {
      epoch += 1;
      const epochStart = performance.now();
      let lossSum = 0;
      let batches = 0;
      for (const batch of epochBatches(sequences, hyper.batchSize, shuffle)) {
        sampler.sample(negatives, negativeDraw);
        lossSum += model.trainStep(batch, { negatives, logQ, nextSeed });
        batches += 1;
        samples += batch.size;
        for (const target of batch.targets) if (target >= 0) positions += 1;
      }
      const epochMs = performance.now() - epochStart;
      trainMs += epochMs;
      context.onProgress?.(epoch, hyper.maxEpochs);
      context.onEvent?.({
        kind: 'epoch',
        epoch,
        loss: lossSum / batches,
        samplesPerSecond: (sequences.length * 1000) / epochMs,
        elapsedMs: performance.now() - started,
      });
      const outOfTime = performance.now() - started >= hyper.maxTrainMs;
      if (
        validation !== undefined &&
        (epoch % hyper.evalEvery === 0 || outOfTime || epoch === hyper.maxEpochs)
      ) {
        const report = await evaluate(model, validation, { ks: [10, 20] });
        const [at10, at20] = report.atK;
        const ndcg10 = at10?.ndcg ?? 0;
        const improved = best === undefined || ndcg10 > best.ndcg10;
        if (improved) {
          best = {
            epoch,
            ndcg10,
            hitRate10: at10?.hitRate ?? 0,
            ndcg20: at20?.ndcg ?? 0,
            hitRate20: at20?.hitRate ?? 0,
            saved: checkpoint(model),
          };
          sinceBest = 0;
        } else {
          sinceBest += 1;
        }
        context.onEvent?.({
          kind: 'validation',
          epoch,
          ndcg10,
          hitRate10: at10?.hitRate ?? 0,
          best: improved,
          elapsedMs: performance.now() - started,
        });
        if (sinceBest >= hyper.patience) {
          stoppedBy = 'patience';
          break;
        }
      }
      if (outOfTime) {
        stoppedBy = 'maxTrainMs';
        break;
      }
    }
    if (best !== undefined && best.epoch !== epoch) model = restore(tf, model, best.saved);
  } catch (error) {
    model.dispose();
    throw error;
  }

  const summary: SequenceTrainingSummary = {
    epochs: epoch,
    bestEpoch: best?.epoch ?? epoch,
    trainMs,
    samplesPerSecond: (samples * 1000) / trainMs,
    positionsPerSecond: (positions * 1000) / trainMs,
    ...(best === undefined
      ? {}
      : {
          validation: {
            ndcg10: best.ndcg10,
            hitRate10: best.hitRate10,
            ndcg20: best.ndcg20,
            hitRate20: best.hitRate20,
          },
        }),
    stoppedBy,
  };
  return Object.assign(model, { training: summary });
}
