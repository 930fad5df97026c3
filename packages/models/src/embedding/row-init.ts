/**
 * Deterministic initial values for an embedding row, derived from the table's seed and the row's
 * id alone. A row therefore starts from the same vector whichever order ids were admitted in, and
 * whether it was admitted at training start or streamed in later, so runs are reproducible and a
 * re-admitted id does not depend on the table's history.
 */
import type { EmbeddingId } from './sparse-embedding-table.js';

/** FNV-1a over the id's canonical text, mixed with the seed (32-bit). */
export function hashId(id: EmbeddingId, seed: number): number {
  const text = typeof id === 'number' ? `n:${id}` : `s:${id}`;
  let hash = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** mulberry32: a small, fast, well-mixed 32-bit generator, returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fills `out[offset .. offset + dim)` with N(0, std²) values (Box–Muller) seeded by (seed, id). */
export function initRow(
  out: Float32Array,
  offset: number,
  dim: number,
  id: EmbeddingId,
  seed: number,
  std: number,
): void {
  const random = mulberry32(hashId(id, seed));
  for (let i = 0; i < dim; i += 2) {
    // 1 - u keeps the logarithm's argument in (0, 1].
    const radius = Math.sqrt(-2 * Math.log(1 - random())) * std;
    const angle = 2 * Math.PI * random();
    out[offset + i] = radius * Math.cos(angle);
    if (i + 1 < dim) out[offset + i + 1] = radius * Math.sin(angle);
  }
}
