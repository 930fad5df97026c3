/**
 * What a flow (flows/*.flow.ts) hands the pipeline: a plan. It declares the flow's reads and the
 * candidates they make (at most two round trips, the second chosen from the first's results), the
 * filters, how the kept candidates are ordered, and the post-processing (business rules, diversity,
 * exploration). The pipeline runs a plan once, front to back (pipeline.ts); a flow never calls back
 * into it. Sources that propose from the shopper alone (the sequence model) implement
 * SubjectCandidateSource, declared here and implemented in models/.
 */
import { NEIGHBOURS_SERVED_MAX, type PopularItem, type SubjectFeatures } from '@recstream/features';
import type { DegradedReason, RecommendedItem } from '@recstream/schemas';
import type { SourceWeights } from './blend.js';
import type { FeatureReader } from './feature-reader.js';
import type { FilterSpec } from './filters.js';
import type { BoostRule, BusinessRules } from './rules.js';
import type { Flow } from './settings.js';
import type { Candidate, CandidateSource } from './types.js';

/** The flows serving answers: the blended ones, and the global popular list. */
export type PlanFlow = Flow | 'popular';

/**
 * A source that proposes candidates from the shopper alone, without a feature read (the sequence
 * model's nearest neighbours). It never fails a request: on trouble it proposes nothing.
 */
export interface SubjectCandidateSource {
  readonly source: CandidateSource;
  candidates(
    subject: SubjectFeatures,
    depth: number,
    exclude: ReadonlySet<string>,
    contextItemId: string | undefined,
  ): Promise<Candidate[]>;
}

/** One round trip of feature reads (issued together) and what it found. */
export type ReadStage = (reader: FeatureReader) => Promise<Reading>;

export interface Reading {
  /**
   * What the reads propose, on each source's own scale. A flow with a second round trip proposes
   * everything there, in one list (its `next` closes over this reading), so the blend sums in the
   * flow's order; the subject sources' candidates go first.
   */
  readonly candidates: readonly Candidate[];
  /** Items whose display fields the answer needs besides the candidates (anchors, cart, the page's item). */
  readonly mentions?: readonly string[] | undefined;
  /** The popular list read: what the fallback keeps. */
  readonly popular?: readonly PopularItem[] | undefined;
  /** The shopper: ranking context, and what the subject sources propose from. */
  readonly subject?: SubjectFeatures | undefined;
  /** Score rules the reads call for (complements: demote the cart's own categories). */
  readonly boost?: readonly BoostRule[] | undefined;
  /** The second round trip, chosen from this one's results (neighbours of what it found). */
  readonly next?: ReadStage | undefined;
}

/**
 * How kept candidates become the answer:
 * - `ranked`: the sources blended by the flow's weights, ordered by the arm's ranker, then the
 *   business rules, the brand cap and diversity (and exploration slots when `explore`);
 * - `as_read`: one list kept in the order and with the scores it was read with, named `rankedBy`.
 */
export type Ordering =
  | {
      readonly by: 'ranked';
      /** Which sources count how much (the subject sources only run when theirs is above 0). */
      readonly weights: SourceWeights;
      readonly rules: BusinessRules;
      readonly explore: boolean;
    }
  | { readonly by: 'as_read'; readonly rankedBy: string };

export interface FlowPlan {
  readonly flow: PlanFlow;
  readonly k: number;
  /** What may be shown; the first reading may add to `excludeIds` (the shopper's recent items). */
  readonly filter: FilterSpec;
  readonly ordering: Ordering;
  /** The page's item, for the ranker and the subject sources. */
  readonly contextItemId?: string | undefined;
  /** How deep the subject sources propose. */
  readonly depth: number;
  /** The first round trip: what the request names. */
  readonly read: ReadStage;
}

/** One answer of the pipeline, before it is put on the wire. */
export interface Answer {
  readonly requestId: string;
  readonly items: RecommendedItem[];
  readonly degraded: boolean;
  readonly degradedReason?: DegradedReason | undefined;
  /** What ordered the items (Ranking.rankedBy, or the as-read list's name). */
  readonly ranker: string;
}

/** Neighbours / category items read per anchor: enough to fill k after filtering, within what is served. */
export const depthFor = (k: number) => Math.min(Math.max(2 * k, 20), NEIGHBOURS_SERVED_MAX);
/** Popular items read: fills any answer, and is what the fallback keeps. */
export const popularDepthFor = (k: number) => Math.min(Math.max(3 * k, 50), 300);
