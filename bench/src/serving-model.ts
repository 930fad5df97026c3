/**
 * The model bench:serving ranks with: the sequence model at its production size (hidden 64, two
 * blocks, the newest 50 items), trained here on the simulated shop's own sequences and saved as the
 * live version of a throwaway registry with the trainer's registry code, exactly as serving finds
 * a model in production. Its quality is beside the point (a short training); its size and shape are
 * what the latency depends on.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadTensorFlow, trainSequenceModel, type UserSequence } from '@recstream/models';
import { createModelRegistry } from '@recstream/model-registry';

const MODEL = 'sasrec';
const VERSION = 'bench-v1';

/** Item indices each shopper interacted with, oldest first, keyed by shopper. */
export type ShopperSequences = ReadonlyMap<string, readonly number[]>;

export interface BenchModel {
  /** The registry directory serving reads (REC_SERVING_MODEL_DIR). */
  readonly registryDir: string;
  readonly model: string;
  readonly version: string;
  readonly trainMs: number;
  readonly sequences: number;
  remove(): Promise<void>;
}

/** Trains on every sequence of two or more items for `trainMs` at most, and makes it live. */
export async function publishBenchModel(options: {
  readonly sequences: ShopperSequences;
  readonly itemIds: readonly string[];
  readonly seed: number;
  readonly trainMs: number;
  readonly onProgress: (fields: Record<string, unknown>) => void;
}): Promise<BenchModel> {
  const train: UserSequence[] = [];
  for (const items of options.sequences.values())
    if (items.length >= 2) train.push({ user: train.length, items: Int32Array.from(items) });
  if (train.length === 0) throw new Error('the simulated shop has no sequence of two items to learn from');
  const started = Date.now();
  const model = await trainSequenceModel({
    train,
    numItems: options.itemIds.length,
    seed: options.seed,
    tf: loadTensorFlow(),
    hyper: { useAttributes: false, maxEpochs: 1000, maxTrainMs: options.trainMs },
    onEvent: (event) => {
      if (event.kind === 'epoch')
        options.onProgress({ epoch: event.epoch, loss: event.loss, elapsed_ms: event.elapsedMs });
    },
  });
  const trainMs = Date.now() - started;
  const registryDir = await mkdtemp(path.join(tmpdir(), 'bench-serving-registry-'));
  try {
    const registry = createModelRegistry(registryDir);
    await registry.saveSequenceModel(
      {
        model: MODEL,
        version: VERSION,
        kind: 'full',
        parent: null,
        createdAt: new Date().toISOString(),
        dataWindow: { from: null, to: null, events: train.reduce((n, s) => n + s.items.length, 0) },
        watermark: {},
        metrics: {},
        hyperParameters: { ...model.hyper },
      },
      model,
      options.itemIds,
    );
    await registry.setLive(MODEL, VERSION);
  } catch (error) {
    await rm(registryDir, { recursive: true, force: true });
    throw error;
  } finally {
    model.dispose();
  }
  return {
    registryDir,
    model: MODEL,
    version: VERSION,
    trainMs,
    sequences: train.length,
    remove: () => rm(registryDir, { recursive: true, force: true }),
  };
}
