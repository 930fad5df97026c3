/**
 * Negatives shared by every position of a batch. Uniform sampling needs no correction (every
 * logit shifts by the same log q). Sampling by popularity^0.75 gives harder negatives but biases
 * the softmax towards unpopular items; the logQ correction (subtract log q(j) from each
 * candidate's logit) removes that bias.
 */
import { ERROR_CODES, PermanentError } from '@recstream/errors';

export interface NegativeSampler {
  /** Fills `out` with item indices (with replacement). */
  sample(out: Int32Array, random: () => number): void;
  /** log q(item) of drawing the item once, or 0 for every item when sampling is uniform. */
  logQ(item: number): number;
}

export function uniformSampler(numItems: number): NegativeSampler {
  if (!Number.isInteger(numItems) || numItems <= 0) {
    throw new PermanentError(
      ERROR_CODES.invalidInput,
      `negative sampler: numItems must be a positive integer, got ${numItems}`,
    );
  }
  return {
    sample(out, random) {
      for (let i = 0; i < out.length; i += 1) out[i] = Math.floor(random() * numItems);
    },
    logQ: () => 0,
  };
}

/** Samples in proportion to (count + 1)^power; counts[i] is item i's training frequency. */
export function popularitySampler(counts: Float64Array, power = 0.75): NegativeSampler {
  if (counts.length === 0)
    throw new PermanentError(ERROR_CODES.invalidInput, 'negative sampler: no items to sample');
  const cumulative = new Float64Array(counts.length);
  let total = 0;
  for (let i = 0; i < counts.length; i += 1) {
    total += ((counts[i] ?? 0) + 1) ** power;
    cumulative[i] = total;
  }
  const logTotal = Math.log(total);
  return {
    sample(out, random) {
      for (let i = 0; i < out.length; i += 1) {
        const u = random() * total;
        let lo = 0;
        let hi = cumulative.length - 1;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if ((cumulative[mid] ?? 0) > u) hi = mid;
          else lo = mid + 1;
        }
        out[i] = lo;
      }
    },
    logQ: (item) => power * Math.log((counts[item] ?? 0) + 1) - logTotal,
  };
}
