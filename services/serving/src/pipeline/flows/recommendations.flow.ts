/**
 * Personalised recommendations: around what the shopper looked at last (co-visitation and, while a
 * model serves, its nearest neighbours of their sequence), their cart (bought together), the
 * categories they like, the page they are on, and what is trending. A
 * shopper the store does not know gets trending and popular items.
 *
 * Reads: the shopper and the page's context, together with trending and popular (one round trip);
 * then the neighbours and category lists they point at (one); display fields from the in-memory
 * catalog.
 */
import { TRENDING_MAX_K, type SubjectIds } from '@recstream/features';
import { boughtTogetherCandidates } from '../candidates/bought-together.js';
import { affinityCategories, categoryCandidates } from '../candidates/category-top.js';
import { covisitContextCandidates, covisitRecentCandidates, recentAnchors } from '../candidates/covisit.js';
import { popularCandidates } from '../candidates/popular.js';
import { trendingCandidates } from '../candidates/trending.js';
import { parseCategoryPath, type FilterSpec } from '../filters.js';
import { combineRules, type BusinessRules } from '../rules.js';
import { depthFor, popularDepthFor, type Answer, type FlowRuntime } from '../runtime.js';

/** Distinct recent items whose neighbours are read. */
const RECENT_ANCHORS = 5;
/** Favourite categories whose top lists are read. */
const AFFINITY_CATEGORIES = 3;
/** Cart items whose bought-together lists are read. */
const CART_ANCHORS = 10;

/** A request as the route hands it over (ids and filters validated). */
export interface RecommendationRequest {
  readonly subject: SubjectIds;
  readonly k: number;
  readonly contextItemId?: string | undefined;
  readonly contextCategory?: string | undefined;
  readonly excludeIds?: readonly string[] | undefined;
  readonly categoryPrefix?: string | undefined;
  readonly priceMin?: number | undefined;
  readonly priceMax?: number | undefined;
  readonly inStockOnly?: boolean | undefined;
  readonly rules?: BusinessRules | undefined;
}

export function recommendations(runtime: FlowRuntime, request: RecommendationRequest): Promise<Answer> {
  const { k } = request;
  const rules = combineRules(runtime.settings.rules, request.rules ?? {});
  const contextItemId = request.contextItemId;
  // A category filter also says where to look: its top list becomes a candidate source.
  const contextCategory = request.contextCategory ?? request.categoryPrefix;
  const depth = depthFor(k);
  const exclude = new Set(request.excludeIds ?? []);
  if (contextItemId !== undefined) exclude.add(contextItemId);
  const filter: FilterSpec = {
    excludeIds: exclude,
    categoryPrefix:
      request.categoryPrefix === undefined ? undefined : parseCategoryPath(request.categoryPrefix),
    priceMin: request.priceMin,
    priceMax: request.priceMax,
    inStockOnly: request.inStockOnly,
  };
  const hasSubject = [request.subject.userId, request.subject.anonymousId, request.subject.sessionId].some(
    (id) => id !== undefined && id !== '',
  );
  return runtime.answer(
    { flow: 'recommendations', k, filter, rules, contextItemId },
    async (reader, deadline) => {
      const [subject, trending, popular, contextNeighbours, contextTop] = await runtime.timed(
        'read_context',
        () =>
          deadline.within(
            Promise.all([
              hasSubject ? reader.subject(request.subject) : Promise.resolve(undefined),
              reader.trending(Math.min(depth, TRENDING_MAX_K)),
              reader.popular(popularDepthFor(k)),
              contextItemId === undefined ? Promise.resolve([]) : reader.covisit([contextItemId], depth),
              contextCategory === undefined
                ? Promise.resolve([])
                : reader.categoryTop(contextCategory, depth),
            ]),
          ),
      );
      const anchors = recentAnchors(
        (subject?.sequence ?? []).filter((e) => e.itemId !== contextItemId),
        RECENT_ANCHORS,
      );
      const categories = affinityCategories(subject?.categoryAffinities ?? [], AFFINITY_CATEGORIES).filter(
        (c) => c.category !== contextCategory,
      );
      const cart = (subject?.cart ?? []).slice(0, CART_ANCHORS).map((c) => c.itemId);
      // What the shopper just looked at or has in the cart is not recommended again: they have
      // seen it (a "recently viewed" strip is the shop's own). Purchases follow their own setting.
      const purchased = new Set((subject?.purchased ?? []).map((p) => p.itemId));
      for (const anchor of anchors) if (!purchased.has(anchor.itemId)) exclude.add(anchor.itemId);
      for (const itemId of cart) exclude.add(itemId);
      if (runtime.settings.excludePurchased) for (const itemId of purchased) exclude.add(itemId);

      const reads = runtime.timed('read_candidates', () =>
        deadline.within(
          Promise.all([
            reader.covisit(
              anchors.map((a) => a.itemId),
              depth,
            ),
            reader.boughtTogether(cart, depth),
            ...categories.map((c) => reader.categoryTop(c.category, depth)),
          ]),
        ),
      );
      // Issued after the reads, so the model's CPU time overlaps their round trip.
      const fromSubject = runtime.subjectCandidates(
        'recommendations',
        subject,
        depth,
        exclude,
        contextItemId,
      );
      const [[recentNeighbours, cartNeighbours, ...categoryTops], subjectCandidates] = await Promise.all([
        reads,
        fromSubject,
      ]);
      const candidates = [
        ...subjectCandidates,
        ...contextNeighbours.flatMap((list) => covisitContextCandidates(list, 'because_you_viewed')),
        ...covisitRecentCandidates(recentNeighbours, anchors),
        ...boughtTogetherCandidates(cartNeighbours),
        ...categoryCandidates(
          categories.map((category, i) => ({ category, items: categoryTops[i] ?? [] })),
          'category_affinity',
        ),
        ...(contextCategory === undefined
          ? []
          : categoryCandidates(
              [{ category: { category: contextCategory, weight: 1 }, items: contextTop }],
              'category_context',
            )),
        ...trendingCandidates(trending),
        ...popularCandidates(popular),
      ];
      const read = await runtime.readMeta(reader, deadline, k, candidates, 'recommendations', [
        ...popular.map((p) => p.itemId),
        ...anchors.map((a) => a.itemId),
        ...cart,
        ...(rules.pin ?? []),
        ...(contextItemId === undefined ? [] : [contextItemId]),
      ]);
      return { ...read, popular, subject };
    },
  );
}
