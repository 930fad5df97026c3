/**
 * The initial model of an in-process prequential run: a full training on the stream's prefix, as
 * the trainer's `full-train` job does it on the log (shoppers' items in event order, ids admitted
 * in first-seen order), minus the I/O.
 */
import {
  ItemIndex,
  trainSequenceModel,
  type SequenceHyperParameters,
  type TensorFlow,
  type TrainedSequenceModel,
  type UserSequence,
} from '@recstream/models';
import { historiesOf, invalidStream, type StreamEvent } from './prequential-cases.js';

export interface InitialModel {
  readonly model: TrainedSequenceModel;
  readonly itemIds: readonly string[];
}

export async function trainInitialModel(
  prefix: readonly StreamEvent[],
  options: { tf: TensorFlow; hyper: Partial<SequenceHyperParameters>; seed: number },
): Promise<InitialModel> {
  const index = new ItemIndex();
  const train: UserSequence[] = [...historiesOf(prefix).values()].map((items, user) => ({
    user,
    items: Int32Array.from(items, (id) => index.admit(id)),
  }));
  if (!train.some((sequence) => sequence.items.length >= 2))
    throw invalidStream('the prefix has no shopper with two or more events to learn from');
  const model = await trainSequenceModel({
    train,
    numItems: index.size,
    seed: options.seed,
    hyper: options.hyper,
    tf: options.tf,
  });
  return { model, itemIds: index.itemIds };
}
