/**
 * Dense indices for a dataset's original ids. Numeric ids keep their numeric order (so Beauty's
 * 1..N become 0..N-1 and MovieLens' ids stay in file order), anything else sorts as text: the
 * mapping depends only on the set of ids, never on the order rows were read.
 */
export interface DenseIds {
  /** Original id of each dense index. */
  readonly ids: readonly string[];
  readonly indexOf: ReadonlyMap<string, number>;
}

const NUMERIC = /^\d+$/;

export function denseIds(originalIds: Iterable<string>): DenseIds {
  const ids = [...new Set(originalIds)];
  if (ids.every((id) => NUMERIC.test(id))) ids.sort((a, b) => Number(a) - Number(b));
  else ids.sort();
  return { ids, indexOf: new Map(ids.map((id, index) => [id, index])) };
}
