/**
 * What a flow (flows/*.flow.ts) is given by the pipeline: the shared stages behind one call
 * (`answer`: reads under the deadline, fallback, filters, ranking, rules, diversity, reasons), the
 * display-field read, stage timing and the settings. A flow only decides what to read and which
 * candidates that makes.
 */
import {
  NEIGHBOURS_SERVED_MAX,
  type ItemMeta,
  type PopularItem,
  type SubjectFeatures,
} from '@recstream/features';
import type { DegradedReason, RecommendedItem } from '@recstream/schemas';
import type { Deadline } from './deadline.js';
import type { FeatureReader } from './feature-reader.js';
import type { FilterSpec } from './filters.js';
import type { Stage } from './metrics.js';
import type { BoostRule, BusinessRules } from './rules.js';
import type { Flow, PipelineSettings } from './settings.js';
import type { BlendedCandidate, Candidate, CandidateSource } from './types.js';

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

/** One answer of the pipeline, before it is put on the wire. */
export interface Answer {
  readonly requestId: string;
  readonly items: RecommendedItem[];
  readonly degraded: boolean;
  readonly degradedReason?: DegradedReason | undefined;
  /** What ordered the items (Ranking.rankedBy). */
  readonly ranker: string;
}

/** What the reads of a flow produced, for the stages that follow. */
export interface Gathered {
  /** Blended candidates, best first, as many as the display fields were read for. */
  readonly blended: readonly BlendedCandidate[];
  readonly metaById: ReadonlyMap<string, ItemMeta>;
  readonly popular: readonly PopularItem[];
  readonly subject?: SubjectFeatures | undefined;
  /** Score rules the reads call for (complements: demote the cart's own categories). */
  readonly boost?: readonly BoostRule[] | undefined;
}

/** What the stages after the reads need to know about the request. */
export interface Arrangement {
  readonly flow: Flow;
  readonly k: number;
  readonly filter: FilterSpec;
  readonly rules: BusinessRules;
  readonly contextItemId?: string | undefined;
}

export interface FlowRuntime {
  readonly settings: PipelineSettings;
  /** Times an asynchronous stage. */
  timed<T>(stage: Stage, work: () => Promise<T>): Promise<T>;
  /**
   * Runs `gather` (the flow's reads) under the request's deadline, then the shared stages; when the
   * reads fail or time out, answers from the popular fallback, or throws a TransientError (503).
   */
  answer(
    arrangement: Arrangement,
    gather: (reader: FeatureReader, deadline: Deadline) => Promise<Gathered>,
  ): Promise<Answer>;
  /**
   * Candidates of the subject sources the flow weighs (none without a shopper); they run beside
   * the flow's candidate reads, so their CPU time overlaps the round trip.
   */
  subjectCandidates(
    flow: Flow,
    subject: SubjectFeatures | undefined,
    depth: number,
    exclude: ReadonlySet<string>,
    contextItemId: string | undefined,
  ): Promise<Candidate[]>;
  /**
   * Blends `candidates` with the flow's weights, keeps the best as the pool, and reads the display
   * fields of the pool and of `others` (anchors, pins, popular items for the fallback): one round trip.
   */
  readMeta(
    reader: FeatureReader,
    deadline: Deadline,
    k: number,
    candidates: readonly Candidate[],
    flow: Flow,
    others: readonly string[],
  ): Promise<Pick<Gathered, 'blended' | 'metaById'>>;
}

/** Neighbours / category items read per anchor: enough to fill k after filtering, within what is served. */
export const depthFor = (k: number) => Math.min(Math.max(2 * k, 20), NEIGHBOURS_SERVED_MAX);
/** Popular items read: fills any answer, and is what the fallback keeps. */
export const popularDepthFor = (k: number) => Math.min(Math.max(3 * k, 50), 300);
