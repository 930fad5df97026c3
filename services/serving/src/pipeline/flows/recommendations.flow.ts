/**
 * Personalised recommendations: around what the shopper looked at last (co-visitation and, while a
 * model serves, its nearest neighbours of their sequence), their cart (bought together), the
 * categories they like, the page they are on, and what is trending. A
 * shopper the store does not know gets trending and popular items.
 *
 * Reads: the shopper and the page's context, together with trending and popular (one round trip);
 * then the neighbours and category lists they point at (one), while the subject sources (the
 * sequence model) propose; display fields from the in-memory catalog.
 */
import { TRENDING_MAX_K, type SubjectIds } from '@recstream/features';
import { boughtTogetherCandidates } from '../candidates/bought-together.js';
import { affinityCategories, categoryCandidates } from '../candidates/category-top.js';
import { covisitContextCandidates, covisitRecentCandidates, recentAnchors } from '../candidates/covisit.js';
import { trendingCandidates } from '../candidates/trending.js';
import { parseCategoryPath, type FilterSpec } from '../filters.js';
import { depthFor, popularDepthFor, type FlowPlan } from '../plan.js';
import { popularCandidates } from '../popular-candidates.js';
import { combineRules, type BusinessRules } from '../rules.js';
import type { PipelineSettings } from '../settings.js';

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

/** The plan of one request for personalised recommendations. */
export function recommendationsPlan(settings: PipelineSettings, request: RecommendationRequest): FlowPlan {
  const { k } = request;
  const rules = combineRules(settings.rules, request.rules ?? {});
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
  return {
    flow: 'recommendations',
    k,
    filter,
    ordering: { by: 'ranked', weights: settings.weights.recommendations, rules, explore: true },
    contextItemId,
    depth,
    read: async (reader) => {
      const [subject, trending, popular, contextNeighbours, contextTop] = await Promise.all([
        hasSubject ? reader.subject(request.subject) : Promise.resolve(undefined),
        reader.trending(Math.min(depth, TRENDING_MAX_K)),
        reader.popular(popularDepthFor(k)),
        contextItemId === undefined ? Promise.resolve([]) : reader.covisit([contextItemId], depth),
        contextCategory === undefined ? Promise.resolve([]) : reader.categoryTop(contextCategory, depth),
      ]);
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
      if (settings.excludePurchased) for (const itemId of purchased) exclude.add(itemId);
      return {
        // All candidates come with the second reading, in one list (the order the blend sums in).
        candidates: [],
        mentions: [
          ...anchors.map((a) => a.itemId),
          ...cart,
          ...(contextItemId === undefined ? [] : [contextItemId]),
        ],
        popular,
        subject,
        next: async (reader) => {
          const [recentNeighbours, cartNeighbours, ...categoryTops] = await Promise.all([
            reader.covisit(
              anchors.map((a) => a.itemId),
              depth,
            ),
            reader.boughtTogether(cart, depth),
            ...categories.map((c) => reader.categoryTop(c.category, depth)),
          ]);
          return {
            candidates: [
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
            ],
          };
        },
      };
    },
  };
}
