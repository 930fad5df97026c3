/**
 * Deterministic assignment of a shopper to an experiment's variant: the SHA-256 of
 * `<experiment>\0<unit id>` read as a number in [0, 1), placed on the variants' cumulative
 * weights. The same shopper always gets the same variant of an experiment (on every instance,
 * after every restart), different experiments shuffle shoppers independently (the experiment's
 * name salts the hash), and shares follow the weights (SHA-256 output is uniform; the unit test
 * checks the distribution). Renaming an experiment reshuffles it; changing weights moves only the
 * shoppers whose point falls in the changed part of the line.
 */
import { createHash } from 'node:crypto';

/** 48 bits of the hash: plenty of resolution, and exact in a double. */
const SCALE = 2 ** 48;

/** The point of a unit on [0, 1) for an experiment. */
export function assignmentPoint(experiment: string, unitId: string): number {
  const digest = createHash('sha256').update(experiment).update('\0').update(unitId).digest();
  return digest.readUIntBE(0, 6) / SCALE;
}

/** The index of the variant whose share of [0, 1) holds `point`; weights are positive. */
export function pickVariant(weights: readonly number[], point: number): number {
  const total = weights.reduce((sum, w) => sum + w, 0);
  let upper = 0;
  for (let i = 0; i < weights.length; i += 1) {
    upper += (weights[i] ?? 0) / total;
    if (point < upper) return i;
  }
  // Rounding can leave the sum a hair under 1: the last variant takes the remainder.
  return weights.length - 1;
}

/** Whom an assignment follows: the logged-in shopper, else the device, else the session. */
export function assignmentUnit(subject: {
  userId?: string | undefined;
  anonymousId?: string | undefined;
  sessionId?: string | undefined;
}): string | undefined {
  for (const id of [subject.userId, subject.anonymousId, subject.sessionId])
    if (id !== undefined && id !== '') return id;
  return undefined;
}
