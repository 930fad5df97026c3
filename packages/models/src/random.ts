/**
 * Seeded randomness for everything that must be reproducible (splits, negative sampling, weight
 * initialisation). Backed by pure-rand's xoroshiro128+: fast, well tested, and the same stream on
 * every platform, unlike `Math.random`.
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator';

export interface Random {
  /** The seed this generator started from (forks report their parent's). */
  readonly seed: number;
  /** A float in [0, 1). */
  float(): number;
  /** An integer in [0, maxExclusive), without modulo bias. */
  int(maxExclusive: number): number;
  /** A standard normal draw (Box–Muller). */
  normal(): number;
  /** Shuffles `values` in place (Fisher–Yates) and returns it. */
  shuffle<T extends { length: number; [index: number]: unknown }>(values: T): T;
  /**
   * An independent generator 2^64 draws further along this one's sequence (xoroshiro's jump), so
   * two consumers of one seed (say, a split and a model) never share draws.
   */
  fork(): Random;
}

function wrap(seed: number, generator: JumpableRandomGenerator): Random {
  const random: Random = {
    seed,
    float: () => uniformFloat64(generator),
    int(maxExclusive) {
      if (!Number.isInteger(maxExclusive) || maxExclusive < 1)
        throw new RangeError(`random int bound must be a positive integer, got ${maxExclusive}`);
      return uniformInt(generator, 0, maxExclusive - 1);
    },
    normal() {
      // 1 - u keeps the logarithm's argument in (0, 1].
      const u = 1 - uniformFloat64(generator);
      const v = uniformFloat64(generator);
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    shuffle(values) {
      for (let i = values.length - 1; i > 0; i -= 1) {
        const j = uniformInt(generator, 0, i);
        const swap = values[i];
        values[i] = values[j];
        values[j] = swap;
      }
      return values;
    },
    fork() {
      const child = generator.clone();
      child.jump();
      // Move the parent too, so successive forks differ.
      generator.jump();
      generator.jump();
      return wrap(seed, child);
    },
  };
  return random;
}

/** A reproducible generator: the same seed gives the same draws on every run and machine. */
export function createRandom(seed: number): Random {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
  return wrap(seed, xoroshiro128plus(seed));
}
