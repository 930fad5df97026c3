/**
 * The replayable datasets: their folder under the shared datasets directory, their main file, and
 * the reader for each. `--path` may name the folder or a file in it (e.g. another split).
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AMAZON_BEAUTY_FILE, readAmazonBeauty } from './amazon-beauty.reader.js';
import { DIGINETICA_DEFAULT_FILE, readDiginetica } from './diginetica.reader.js';
import { MOVIELENS_RATINGS_FILE, readMovieLens, type MovieLensOptions } from './movielens.reader.js';
import {
  DATASET_NAMES,
  DatasetMissingError,
  type DatasetName,
  type ReplayDataset,
} from './replay.dataset.js';
import { readYoochoose, YOOCHOOSE_DEFAULT_FILE } from './yoochoose.reader.js';

export interface DatasetSpec {
  /** Folder name under the shared datasets directory. */
  readonly folder: string;
  /** File read when `--path` names the folder. */
  readonly file: string;
  readonly read: (file: string, options: MovieLensOptions) => Promise<ReplayDataset>;
}

export const DATASETS: Readonly<Record<DatasetName, DatasetSpec>> = {
  yoochoose: { folder: 'yoochoose-100k', file: YOOCHOOSE_DEFAULT_FILE, read: readYoochoose },
  diginetica: { folder: 'diginetica-sample', file: DIGINETICA_DEFAULT_FILE, read: readDiginetica },
  'ml-100k': { folder: 'ml-100k', file: MOVIELENS_RATINGS_FILE, read: readMovieLens },
  'amazon-beauty': { folder: 'amazon-beauty', file: AMAZON_BEAUTY_FILE, read: readAmazonBeauty },
};

export function isDatasetName(value: string): value is DatasetName {
  return (DATASET_NAMES as readonly string[]).includes(value);
}

/** The dataset's folder under a datasets root (e.g. /work/shared/datasets). */
export function defaultDatasetPath(datasetsRoot: string, name: DatasetName): string {
  return join(datasetsRoot, DATASETS[name].folder);
}

/** A folder resolves to the dataset's main file in it; a file is used as it is. */
export async function resolveDatasetFile(name: DatasetName, path: string): Promise<string> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) return join(path, DATASETS[name].file);
    return path;
  } catch {
    throw new DatasetMissingError(name, path);
  }
}

export async function loadDataset(
  name: DatasetName,
  path: string,
  options: MovieLensOptions,
): Promise<ReplayDataset> {
  return DATASETS[name].read(await resolveDatasetFile(name, path), options);
}
