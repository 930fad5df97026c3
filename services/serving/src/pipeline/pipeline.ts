/**
 * The recommendation pipeline: it runs a flow's plan (plan.ts, built by flows/*.flow.ts) once,
 * front to back: the plan's feature reads → candidates (with the subject sources') → blend →
 * display fields → filters → ranker → business rules → diversity → exploration → reasons. A plan
 * that keeps its list as read (popular) skips blending, ranking, rules and diversity.
 *
 * Feature reads come in at most two stages, each issued at once so that it costs one round trip:
 * what the request names (the shopper, the page's item and category, trending, popular), then what
 * that points at (neighbours of recent and cart items, top lists of liked categories). Display
 * fields of every item involved come from the in-memory catalog (a round trip only when it must
 * catch up with a catalog write). All stages share one deadline; when the store is slow or down the
 * answer is the last popular list this process read (`degraded`), or a 503 if it has none.
 */
import { randomUUID } from 'node:crypto';
import { ERROR_CODES, TransientError, errorMessage } from '@recstream/errors';
import type { ItemMeta, PopularItem, SubjectFeatures } from '@recstream/features';
import type { Logger } from '@recstream/logger';
import type { DegradedReason, RecommendedItem } from '@recstream/schemas';
import { blend } from './blend.js';
import { DeadlineExceeded, startDeadline, type Deadline } from './deadline.js';
import type { NewArrivals } from '../catalog/new-arrivals.js';
import { diversify } from './diversity.js';
import { explorationPool, explore } from './exploration.js';
import type { FeatureReader } from './feature-reader.js';
import type { PopularFallback } from './fallback.js';
import { applyFilters, rejection, type FilterSpec } from './filters.js';
import type { PipelineMetrics, Stage } from './metrics.js';
import type { Answer, FlowPlan, Reading, SubjectCandidateSource } from './plan.js';
import { popularCandidates } from './popular-candidates.js';
import type { Ranker } from './ranker.js';
import { reasonText } from './reasons.js';
import { applyScoreRules, capPerBrand, placePins, type BoostRule } from './rules.js';
import { NO_SOURCES, type PipelineSettings } from './settings.js';
import type { BlendedCandidate, Candidate, CatalogCandidate } from './types.js';

export interface PipelineDeps {
  /** The feature reads of one request, at its time (redisFeatureReader in the service). */
  readonly features: (nowMs: number) => FeatureReader;
  readonly ranker: Ranker;
  /** Sources that propose from the shopper alone (the sequence model's neighbours); none by default. */
  readonly subjectSources?: readonly SubjectCandidateSource[];
  readonly settings: PipelineSettings;
  readonly metrics: PipelineMetrics;
  readonly fallback: PopularFallback;
  readonly logger: Logger;
  /** The catalog's new items at a time, for exploration slots (none: no exploration). */
  readonly newArrivals?: (nowMs: number) => NewArrivals;
  /** Draws exploration slots (tests pin it); Math.random by default. */
  readonly random?: () => number;
  /** The request time (tests pin it). */
  readonly clock?: () => number;
}

export interface Pipeline {
  /** Answers a plan; a TransientError (503) when the store is down and nothing is cached. */
  run(plan: FlowPlan): Promise<Answer>;
}

/** What the reads gathered, display fields included. */
interface Gathered {
  /** The candidates combined (blended, or as read), best first, as many as display fields were read for. */
  readonly combined: readonly BlendedCandidate[];
  readonly metaById: ReadonlyMap<string, ItemMeta>;
  readonly popular: readonly PopularItem[];
  readonly subject?: SubjectFeatures | undefined;
  readonly boost?: readonly BoostRule[] | undefined;
}

/** Blended candidates whose display fields are read: room for filters to drop many. */
const poolFor = (k: number) => Math.max(6 * k, 150);

/** At most one "answering from the fallback" log line per this interval during an outage. */
const DEGRADED_LOG_INTERVAL_MS = 10_000;

/** The fallback holds popular items only: whatever weights the flow gives sources, they count. */
const FALLBACK_WEIGHTS = { ...NO_SOURCES, popular: 1 } as const;

export function createPipeline(deps: PipelineDeps): Pipeline {
  const clock = deps.clock ?? Date.now;
  const random = deps.random ?? Math.random;
  const { settings, metrics } = deps;
  let lastDegradedLogMs = -Infinity;
  let lastSourceErrorLogMs = -Infinity;

  async function timed<T>(stage: Stage, work: () => Promise<T>): Promise<T> {
    const end = metrics.time(stage);
    try {
      return await work();
    } finally {
      end();
    }
  }
  function timedSync<T>(stage: Stage, work: () => T): T {
    const end = metrics.time(stage);
    try {
      return work();
    } finally {
      end();
    }
  }

  async function run(plan: FlowPlan): Promise<Answer> {
    const nowMs = clock();
    const deadline = startDeadline(settings.featureTimeoutMs);
    let gathered: Gathered;
    try {
      gathered = await gather(plan, deps.features(nowMs), deadline);
    } catch (error) {
      // A RangeError is a bug in how the reads were asked for, not an outage: let it surface.
      if (error instanceof RangeError) throw error;
      return degrade(plan, error, nowMs);
    } finally {
      deadline.clear();
    }
    deps.fallback.remember(gathered.popular, gathered.metaById, nowMs);
    const { items, rankedBy, degradedReason } = await arrange(plan, gathered, nowMs);
    if (degradedReason !== undefined) metrics.degraded(degradedReason);
    return {
      requestId: randomUUID(),
      items,
      degraded: degradedReason !== undefined,
      ...(degradedReason === undefined ? {} : { degradedReason }),
      ranker: rankedBy,
    };
  }

  /** The plan's reads under the deadline (one or two round trips), then the display fields. */
  async function gather(plan: FlowPlan, reader: FeatureReader, deadline: Deadline): Promise<Gathered> {
    const first = await timed('read_context', () => deadline.within(plan.read(reader)));
    const next = first.next;
    let second: Reading | undefined;
    let fromSubject: Candidate[];
    if (next === undefined) {
      fromSubject = await subjectCandidates(plan, first.subject);
    } else {
      const reads = timed('read_candidates', () => deadline.within(next(reader)));
      // Issued after the reads, so the model's CPU time overlaps their round trip.
      [second, fromSubject] = await Promise.all([reads, subjectCandidates(plan, first.subject)]);
    }
    const candidates = [...fromSubject, ...first.candidates, ...(second?.candidates ?? [])];
    const popular = first.popular ?? [];
    const combined = combine(plan, candidates);
    const pins = plan.ordering.by === 'ranked' ? (plan.ordering.rules.pin ?? []) : [];
    // Display fields of the pool and of every other item the answer mentions: one round trip.
    const metaById = await timed('read_items', () =>
      deadline.within(
        reader.meta([
          ...combined.map((c) => c.itemId),
          ...popular.map((p) => p.itemId),
          ...(first.mentions ?? []),
          ...(second?.mentions ?? []),
          ...pins,
        ]),
      ),
    );
    const boost = [...(first.boost ?? []), ...(second?.boost ?? [])];
    return { combined, metaById, popular, subject: first.subject, boost };
  }

  /** Blends by the plan's weights and keeps the best as the pool; an as-read list stays as it is. */
  function combine(plan: FlowPlan, candidates: readonly Candidate[]): readonly BlendedCandidate[] {
    const ordering = plan.ordering;
    if (ordering.by === 'as_read') return candidates;
    return timedSync('blend', () => blend(candidates, ordering.weights).slice(0, poolFor(plan.k)));
  }

  /** The fallback answer: the last popular list, through the same filters and rules. */
  async function degrade(plan: FlowPlan, error: unknown, nowMs: number): Promise<Answer> {
    const reason: DegradedReason =
      error instanceof DeadlineExceeded ? 'feature_store_timeout' : 'feature_store_unavailable';
    const snapshot = deps.fallback.get();
    if (snapshot === undefined) {
      metrics.degraded('no_fallback');
      throw new TransientError(
        ERROR_CODES.unavailable,
        `feature store unavailable and no fallback cached yet: ${errorMessage(error)}`,
        { cause: error },
      );
    }
    metrics.degraded(reason);
    // Every degraded answer is counted; the log says so once per interval, not once per request.
    if (nowMs - lastDegradedLogMs >= DEGRADED_LOG_INTERVAL_MS) {
      lastDegradedLogMs = nowMs;
      deps.logger.warn(
        { err: error, flow: plan.flow, reason, fallbackAgeMs: nowMs - snapshot.atMs },
        'feature reads failed, answering from the popular fallback',
      );
    }
    const candidates = popularCandidates(snapshot.items);
    const gathered: Gathered = {
      combined:
        plan.ordering.by === 'as_read'
          ? candidates
          : timedSync('blend', () => blend(candidates, FALLBACK_WEIGHTS)),
      metaById: snapshot.metaById,
      popular: snapshot.items,
    };
    const { items, rankedBy } = await arrange(plan, gathered, nowMs);
    return { requestId: randomUUID(), items, degraded: true, degradedReason: reason, ranker: rankedBy };
  }

  /** Everything after the reads: pure stages, timed. */
  async function arrange(
    plan: FlowPlan,
    g: Gathered,
    nowMs: number,
  ): Promise<{
    items: RecommendedItem[];
    rankedBy: string;
    degradedReason?: 'model_unavailable' | undefined;
  }> {
    const ordering = plan.ordering;
    const filter = plan.filter;
    if (ordering.by === 'as_read') {
      const kept = timedSync('filter', () => {
        const result = applyFilters(g.combined, g.metaById, filter);
        metrics.filtered(result.dropped);
        return result.kept;
      });
      return { items: kept.slice(0, plan.k).map((c) => toItem(c, g.metaById)), rankedBy: ordering.rankedBy };
    }
    const rules =
      g.boost === undefined || g.boost.length === 0
        ? ordering.rules
        : { ...ordering.rules, boost: [...(ordering.rules.boost ?? []), ...g.boost] };
    const { kept, pinned } = timedSync('filter', () => {
      const result = applyFilters(g.combined, g.metaById, filter);
      metrics.filtered(result.dropped);
      return { kept: result.kept, pinned: pinnedCandidates(rules.pin ?? [], g.metaById, filter) };
    });
    const ranking = await timed('rank', () =>
      deps.ranker.rank(kept, { subject: g.subject, contextItemId: plan.contextItemId, nowMs }),
    );
    const { ranked: ruled, buried } = timedSync('rules', () => applyScoreRules(ranking.candidates, rules));
    const chosen = timedSync('diversity', () => {
      const room = Math.max(plan.k - pinned.length, 0);
      // The cap runs before MMR, which then picks from what the cap allows.
      // Pinned items take their places first, exempt from the cap (a merchant chose them).
      const pinnedIds = new Set(pinned.map((c) => c.itemId));
      const capped = capPerBrand(
        [...ruled, ...buried].filter((c) => !pinnedIds.has(c.itemId)),
        rules.brandCap,
      );
      const buriedIds = new Set(buried.map((c) => c.itemId));
      const diverse = diversify(
        capped.filter((c) => !buriedIds.has(c.itemId)),
        room,
        settings.diversityLambda,
      );
      const tail = capped.filter((c) => buriedIds.has(c.itemId));
      return placePins([...diverse, ...tail], pinned).slice(0, plan.k);
    });
    const newArrivals = deps.newArrivals;
    const slots = settings.exploration.slots;
    const explored =
      !ordering.explore || newArrivals === undefined || slots === 0
        ? chosen
        : timedSync('exploration', () =>
            explore(
              chosen,
              plan.k,
              slots,
              explorationPool(newArrivals(nowMs), g.subject, filter),
              filter,
              random,
            ),
          );
    return {
      items: explored.map((c) => toItem(c, g.metaById)),
      rankedBy: ranking.rankedBy,
      degradedReason: ranking.degradedReason,
    };
  }

  /** The subject sources the plan weighs; one that fails proposes nothing (logged, rate-limited). */
  async function subjectCandidates(
    plan: FlowPlan,
    subject: SubjectFeatures | undefined,
  ): Promise<Candidate[]> {
    const ordering = plan.ordering;
    if (subject === undefined || ordering.by !== 'ranked') return [];
    const exclude = plan.filter.excludeIds;
    const sources = (deps.subjectSources ?? []).filter((s) => ordering.weights[s.source] > 0);
    const lists = await Promise.all(
      sources.map((s) =>
        s.candidates(subject, plan.depth, exclude, plan.contextItemId).catch((error: unknown) => {
          const nowMs = clock();
          if (nowMs - lastSourceErrorLogMs >= DEGRADED_LOG_INTERVAL_MS) {
            lastSourceErrorLogMs = nowMs;
            deps.logger.error(
              { err: error, source: s.source, flow: plan.flow },
              'candidate source failed, skipped',
            );
          }
          return [];
        }),
      ),
    );
    return lists.flat();
  }

  return { run };
}

/** A chosen candidate as the answer lists it. */
function toItem(c: CatalogCandidate, metaById: ReadonlyMap<string, ItemMeta>): RecommendedItem {
  return {
    item_id: c.itemId,
    score: c.score,
    title: c.meta.title,
    category: c.meta.category,
    brand: c.meta.brand,
    price: c.meta.price,
    currency: c.meta.currency,
    reason: reasonText(c.reason, metaById),
    source: c.source,
  };
}

/** Pinned items that may be shown (known, available, not excluded, within the filters). */
function pinnedCandidates(
  pins: readonly string[],
  metaById: ReadonlyMap<string, ItemMeta>,
  filter: FilterSpec,
): CatalogCandidate[] {
  const pinned: CatalogCandidate[] = [];
  for (const itemId of pins) {
    const meta = metaById.get(itemId);
    if (meta === undefined || rejection(itemId, meta, filter) !== undefined) continue;
    pinned.push({ itemId, score: 0, source: 'pinned', reason: { code: 'pinned' }, meta });
  }
  return pinned;
}
