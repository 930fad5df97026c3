/**
 * Training and validation data of the ranker: candidate lists ("groups") of one fixed size, each
 * row a feature vector with a 0/1 label (clicked / bought or not). A fixed size keeps every batch a
 * dense [groups, size, features] tensor with no padding or masks; candidate generation makes its
 * lists that long.
 */
import { ERROR_CODES, PermanentError } from '@recstream/errors';
import type { Random } from '@recstream/models';

export interface RankingGroups {
  /** Candidates per group. */
  readonly size: number;
  /** Features per candidate. */
  readonly width: number;
  /** Row-major groups × size × width. */
  readonly features: Float32Array;
  /** groups × size, 1 = positive, 0 = negative. */
  readonly labels: Float32Array;
}

function invalid(message: string): PermanentError {
  return new PermanentError(ERROR_CODES.invalidInput, `ranking groups: ${message}`);
}

export function groupCount(groups: RankingGroups): number {
  return groups.labels.length / groups.size;
}

/** Throws unless the arrays agree with size and width and every value is finite (labels 0 or 1). */
export function checkGroups(groups: RankingGroups, width: number): void {
  const { size, features, labels } = groups;
  if (!Number.isInteger(size) || size < 1) throw invalid(`size must be a positive integer, got ${size}`);
  if (groups.width !== width) throw invalid(`rows have ${groups.width} features, the model takes ${width}`);
  if (labels.length % size !== 0) throw invalid(`${labels.length} labels are not whole groups of ${size}`);
  if (features.length !== labels.length * width)
    throw invalid(`${features.length} feature values for ${labels.length} rows × ${width}`);
  for (const [index, value] of features.entries())
    if (!Number.isFinite(value)) throw invalid(`feature value ${index} is ${value}`);
  for (const [index, label] of labels.entries())
    if (label !== 0 && label !== 1) throw invalid(`label ${index} is ${label}, not 0 or 1`);
}

/** The groups at `indices`, copied, in that order. */
export function selectGroups(groups: RankingGroups, indices: ArrayLike<number>): RankingGroups {
  const { size, width } = groups;
  const rowValues = size * width;
  const features = new Float32Array(indices.length * rowValues);
  const labels = new Float32Array(indices.length * size);
  for (let i = 0; i < indices.length; i += 1) {
    const group = indices[i] ?? 0;
    features.set(groups.features.subarray(group * rowValues, (group + 1) * rowValues), i * rowValues);
    labels.set(groups.labels.subarray(group * size, (group + 1) * size), i * size);
  }
  return { size, width, features, labels };
}

/** Groups with at least one positive (a softmax over a list without one has no target). */
export function groupsWithPositives(groups: RankingGroups): number[] {
  const kept: number[] = [];
  for (let group = 0; group < groupCount(groups); group += 1) {
    const labels = groups.labels.subarray(group * groups.size, (group + 1) * groups.size);
    if (labels.some((label) => label === 1)) kept.push(group);
  }
  return kept;
}

/** A seeded random split of the groups into (train, held out) with `share` held out (at least one). */
export function holdOut(
  groups: RankingGroups,
  share: number,
  random: Random,
): { train: RankingGroups; heldOut: RankingGroups } {
  const count = groupCount(groups);
  if (count < 2) throw invalid(`cannot hold out part of ${count} group(s)`);
  const order = random.shuffle(Int32Array.from({ length: count }, (_, index) => index));
  const heldOutCount = Math.max(1, Math.round(share * count));
  return {
    train: selectGroups(groups, order.subarray(heldOutCount)),
    heldOut: selectGroups(groups, order.subarray(0, heldOutCount)),
  };
}

/** Builds groups from per-list feature rows and labels (each list must be `size` long). */
export function concatGroups(
  lists: readonly { readonly features: Float32Array; readonly labels: Float32Array }[],
  size: number,
  width: number,
): RankingGroups {
  const features = new Float32Array(lists.length * size * width);
  const labels = new Float32Array(lists.length * size);
  for (const [index, list] of lists.entries()) {
    if (list.labels.length !== size || list.features.length !== size * width)
      throw invalid(`list ${index} has ${list.labels.length} rows, not ${size}`);
    features.set(list.features, index * size * width);
    labels.set(list.labels, index * size);
  }
  return { size, width, features, labels };
}
