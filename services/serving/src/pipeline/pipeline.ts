/**
 * The recommendation pipeline: feature reads → candidates per source → blend → filters → ranker →
 * business rules → diversity → reasons. Three flows (flows/*.flow.ts) share it: personalised
 * recommendations, items similar to one item, and complements of a cart; each decides what to read
 * and which candidates that makes, and this module runs everything else.
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
import type { ItemMeta, SubjectFeatures } from '@recstream/features';
import type { Logger } from '@recstream/logger';
import type { DegradedReason, RecommendedItem } from '@recstream/schemas';
import { blend } from './blend.js';
import { popularCandidates } from './candidates/popular.js';
import { DeadlineExceeded, startDeadline, type Deadline } from './deadline.js';
import type { NewArrivals } from '../catalog/new-arrivals.js';
import { diversify } from './diversity.js';
import { explorationPool, explore } from './exploration.js';
import type { FeatureReader } from './feature-reader.js';
import type { PopularFallback } from './fallback.js';
import { applyFilters, rejection, type FilterSpec } from './filters.js';
import { complements } from './flows/complements.flow.js';
import { recommendations, type RecommendationRequest } from './flows/recommendations.flow.js';
import { similarItems } from './flows/similar.flow.js';
import type { PipelineMetrics, Stage } from './metrics.js';
import type { Ranker, Ranking } from './ranker.js';
import { reasonText } from './reasons.js';
import { applyScoreRules, capPerBrand, placePins, type BusinessRules } from './rules.js';
import type { Answer, Arrangement, FlowRuntime, Gathered, SubjectCandidateSource } from './runtime.js';
import { NO_SOURCES, type Flow, type PipelineSettings } from './settings.js';
import type { Candidate, CatalogCandidate } from './types.js';

export type { Answer } from './runtime.js';
export type { RecommendationRequest } from './flows/recommendations.flow.js';

export interface RecommenderDeps {
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

export interface Recommender {
  recommend(request: RecommendationRequest): Promise<Answer>;
  similar(itemId: string, k: number): Promise<Answer>;
  complements(cartItemIds: readonly string[], k: number): Promise<Answer>;
}

/** Blended candidates whose display fields are read: room for filters to drop many. */
const poolFor = (k: number) => Math.max(6 * k, 150);

/** At most one "answering from the fallback" log line per this interval during an outage. */
const DEGRADED_LOG_INTERVAL_MS = 10_000;

/** The fallback holds popular items only: whatever weights the flow gives sources, they count. */
const FALLBACK_WEIGHTS = { ...NO_SOURCES, popular: 1 } as const;

export function createRecommender(deps: RecommenderDeps): Recommender {
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

  /** Runs a flow's reads under the deadline, then the shared stages; degrades when the reads fail. */
  async function answer(
    arrangement: Arrangement,
    gather: (reader: FeatureReader, deadline: Deadline) => Promise<Gathered>,
  ): Promise<Answer> {
    const nowMs = clock();
    const deadline = startDeadline(settings.featureTimeoutMs);
    let gathered: Gathered;
    try {
      gathered = await gather(deps.features(nowMs), deadline);
    } catch (error) {
      // A RangeError is a bug in how the reads were asked for, not an outage: let it surface.
      if (error instanceof RangeError) throw error;
      return degrade(arrangement, error, nowMs);
    } finally {
      deadline.clear();
    }
    deps.fallback.remember(gathered.popular, gathered.metaById, nowMs);
    const { items, ranking } = await arrange(arrangement, gathered, nowMs);
    const reason = ranking.degradedReason;
    if (reason !== undefined) metrics.degraded(reason);
    return {
      requestId: randomUUID(),
      items,
      degraded: reason !== undefined,
      ...(reason === undefined ? {} : { degradedReason: reason }),
      ranker: ranking.rankedBy,
    };
  }

  /** The fallback answer: the last popular list, through the same filters and rules. */
  async function degrade(arrangement: Arrangement, error: unknown, nowMs: number): Promise<Answer> {
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
        { err: error, flow: arrangement.flow, reason, fallbackAgeMs: nowMs - snapshot.atMs },
        'feature reads failed, answering from the popular fallback',
      );
    }
    const gathered: Gathered = {
      blended: timedSync('blend', () => blend(popularCandidates(snapshot.items), FALLBACK_WEIGHTS)),
      metaById: snapshot.metaById,
      popular: snapshot.items,
    };
    const { items, ranking } = await arrange(arrangement, gathered, nowMs);
    return {
      requestId: randomUUID(),
      items,
      degraded: true,
      degradedReason: reason,
      ranker: ranking.rankedBy,
    };
  }

  /** Everything after the reads: pure stages, timed. */
  async function arrange(
    a: Arrangement,
    g: Gathered,
    nowMs: number,
  ): Promise<{ items: RecommendedItem[]; ranking: Ranking }> {
    const rules: BusinessRules =
      g.boost === undefined ? a.rules : { ...a.rules, boost: [...(a.rules.boost ?? []), ...g.boost] };
    const { kept, pinned } = timedSync('filter', () => {
      const result = applyFilters(g.blended, g.metaById, a.filter);
      metrics.filtered(result.dropped);
      return { kept: result.kept, pinned: pinnedCandidates(rules.pin ?? [], g.metaById, a.filter) };
    });
    const ranking = await timed('rank', () =>
      deps.ranker.rank(kept, { subject: g.subject, contextItemId: a.contextItemId, nowMs }),
    );
    const { ranked: ruled, buried } = timedSync('rules', () => applyScoreRules(ranking.candidates, rules));
    const chosen = timedSync('diversity', () => {
      const room = Math.max(a.k - pinned.length, 0);
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
      return placePins([...diverse, ...tail], pinned).slice(0, a.k);
    });
    const newArrivals = deps.newArrivals;
    const slots = settings.exploration.slots;
    const explored =
      a.flow !== 'recommendations' || newArrivals === undefined || slots === 0
        ? chosen
        : timedSync('exploration', () =>
            explore(
              chosen,
              a.k,
              slots,
              explorationPool(newArrivals(nowMs), g.subject, a.filter),
              a.filter,
              random,
            ),
          );
    const items = explored.map((c) => ({
      item_id: c.itemId,
      score: c.score,
      title: c.meta.title,
      category: c.meta.category,
      brand: c.meta.brand,
      price: c.meta.price,
      currency: c.meta.currency,
      reason: reasonText(c.reason, g.metaById),
      source: c.source,
    }));
    return { items, ranking };
  }

  /** The subject sources the flow weighs; one that fails proposes nothing (logged, rate-limited). */
  async function subjectCandidates(
    flow: Flow,
    subject: SubjectFeatures | undefined,
    depth: number,
    exclude: ReadonlySet<string>,
    contextItemId: string | undefined,
  ): Promise<Candidate[]> {
    if (subject === undefined) return [];
    const sources = (deps.subjectSources ?? []).filter((s) => settings.weights[flow][s.source] > 0);
    const lists = await Promise.all(
      sources.map((s) =>
        s.candidates(subject, depth, exclude, contextItemId).catch((error: unknown) => {
          const nowMs = clock();
          if (nowMs - lastSourceErrorLogMs >= DEGRADED_LOG_INTERVAL_MS) {
            lastSourceErrorLogMs = nowMs;
            deps.logger.error({ err: error, source: s.source, flow }, 'candidate source failed, skipped');
          }
          return [];
        }),
      ),
    );
    return lists.flat();
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

  /** Display fields of the best blended candidates and of the other items the answer mentions. */
  async function readMeta(
    reader: FeatureReader,
    deadline: Deadline,
    k: number,
    candidates: readonly Candidate[],
    flow: Flow,
    others: readonly string[],
  ): Promise<Pick<Gathered, 'blended' | 'metaById'>> {
    const blended = timedSync('blend', () => blend(candidates, settings.weights[flow]).slice(0, poolFor(k)));
    const metaById = await timed('read_items', () =>
      deadline.within(reader.meta([...blended.map((c) => c.itemId), ...others])),
    );
    return { blended, metaById };
  }

  const runtime: FlowRuntime = { settings, timed, answer, readMeta, subjectCandidates };
  return {
    recommend: (request) => recommendations(runtime, request),
    similar: (itemId, k) => similarItems(runtime, itemId, k),
    complements: (cartItemIds, k) => complements(runtime, cartItemIds, k),
  };
}
