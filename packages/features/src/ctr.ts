/**
 * Click-through rate with a Beta prior, so an item shown five times and clicked once is not rated
 * at 20 %. The prior's mean is the shop's own CTR (all clicks over all impressions, from the global
 * counts); its strength says how many impressions an item needs before its own record weighs as
 * much as the prior.
 */

/** Pseudo-impressions of the prior: with 100, an item's own CTR dominates from ~100 impressions on. */
export const CTR_PRIOR_STRENGTH = 100;
/** Prior mean before the shop has reported any impression (a common e-commerce list CTR). */
export const CTR_PRIOR_FALLBACK_MEAN = 0.02;

/** Beta(mean·strength, (1 − mean)·strength). */
export interface CtrPrior {
  readonly mean: number;
  readonly strength: number;
}

/**
 * The prior from the shop's totals: clicks over impressions, at most 1 (clicks on lists the shop does
 * not report as impressions can outnumber them), or the fallback mean when there are no impressions.
 */
export function ctrPrior(
  totals: { readonly clicks: number; readonly impressions: number },
  strength = CTR_PRIOR_STRENGTH,
): CtrPrior {
  if (!(strength > 0)) throw new RangeError(`CTR prior strength must be positive, got ${String(strength)}`);
  const mean =
    totals.impressions > 0
      ? Math.min(Math.max(totals.clicks, 0) / totals.impressions, 1)
      : CTR_PRIOR_FALLBACK_MEAN;
  return { mean, strength };
}

/**
 * Posterior mean CTR: (clicks + mean·strength) / (impressions + strength). Clicks beyond
 * impressions (from lists not reported) are not evidence of a CTR above 1 and count up to the
 * impressions only; with no impressions the result is the prior mean.
 */
export function smoothedCtr(clicks: number, impressions: number, prior: CtrPrior): number {
  const shown = Math.max(impressions, 0);
  const clicked = Math.min(Math.max(clicks, 0), shown);
  return (clicked + prior.mean * prior.strength) / (shown + prior.strength);
}
