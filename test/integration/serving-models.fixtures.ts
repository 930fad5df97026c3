/**
 * Fixtures for serving's model tests: tiny sequence models trained here on a chain pattern
 * (item k is followed by item k + step), saved into a temporary registry with the trainer's own
 * registry code, and announced with the trainer's own message format.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import type { CatalogItem } from '@recstream/schemas';
import {
  loadTensorFlow,
  trainSequenceModel,
  type SequenceRecommender,
  type UserSequence,
} from '@recstream/models';
import {
  createModelRegistry,
  publishedMessage,
  type ModelRegistry,
  type VersionRecord,
} from '@recstream/model-registry';

export const MODEL = 'sasrec';
export const ITEMS = 24;
export const itemId = (index: number) => `sku-${index}`;
export const ITEM_IDS = Array.from({ length: ITEMS }, (_, i) => itemId(i));

/** One category and brand for every item, so diversity and brand caps leave the ranking's order alone. */
export function catalogItems(nowMs: number): CatalogItem[] {
  return ITEM_IDS.map((item_id) => ({
    item_id,
    title: `Title ${item_id}`,
    category_path: ['Shop', 'Things'],
    brand: 'Acme',
    price: 10,
    currency: 'EUR',
    availability: 'in_stock',
    updated_at: new Date(nowMs - 30 * 24 * 3600 * 1000).toISOString(),
  }));
}

/** A tiny model that learned item k → item k + step (mod ITEMS). */
export async function trainChainModel(step: number, seed: number): Promise<SequenceRecommender> {
  const train: UserSequence[] = [];
  for (let user = 0; user < 48; user += 1) {
    const start = user % ITEMS;
    train.push({
      user,
      items: Int32Array.from({ length: 8 }, (_, position) => (start + position * step) % ITEMS),
    });
  }
  return trainSequenceModel({
    train,
    numItems: ITEMS,
    seed,
    tf: loadTensorFlow(),
    hyper: {
      maxLength: 6,
      hiddenDim: 16,
      blocks: 1,
      heads: 1,
      negatives: 8,
      batchSize: 16,
      dropout: 0,
      learningRate: 0.02,
      maxEpochs: 40,
      useAttributes: false,
    },
  });
}

/** A temporary registry, removed with the test. */
export async function tempRegistry(t: Test): Promise<ModelRegistry> {
  const root = await mkdtemp(join(tmpdir(), 'serving-models-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  return createModelRegistry(root);
}

/** Saves `model` as `version` of MODEL the way the trainer does (checksums, manifest, rename). */
export function saveVersion(
  registry: ModelRegistry,
  version: string,
  model: SequenceRecommender,
): Promise<VersionRecord> {
  return registry.saveSequenceModel(
    {
      model: MODEL,
      version,
      kind: 'full',
      parent: null,
      createdAt: new Date().toISOString(),
      dataWindow: { from: null, to: null, events: 48 * 8 },
      watermark: {},
      metrics: {},
      hyperParameters: {},
    },
    model,
    ITEM_IDS,
  );
}

export { publishedMessage };
