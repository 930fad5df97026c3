/**
 * A recommender: the flows over one pipeline. Each call builds the flow's plan from the request
 * and the pipeline runs it; every flow gets the same deadline, fallback, metrics and answer shape.
 */
import { createPipeline, type PipelineDeps } from '../pipeline.js';
import type { Answer } from '../plan.js';
import { complementsPlan } from './complements.flow.js';
import { popularPlan } from './popular.flow.js';
import { recommendationsPlan, type RecommendationRequest } from './recommendations.flow.js';
import { similarPlan } from './similar.flow.js';

export type { Answer } from '../plan.js';
export type { RecommendationRequest } from './recommendations.flow.js';
export type RecommenderDeps = PipelineDeps;

export interface Recommender {
  recommend(request: RecommendationRequest): Promise<Answer>;
  similar(itemId: string, k: number): Promise<Answer>;
  complements(cartItemIds: readonly string[], k: number): Promise<Answer>;
  popular(k: number): Promise<Answer>;
}

export function createRecommender(deps: RecommenderDeps): Recommender {
  const pipeline = createPipeline(deps);
  const { settings } = deps;
  return {
    recommend: (request) => pipeline.run(recommendationsPlan(settings, request)),
    similar: (itemId, k) => pipeline.run(similarPlan(settings, itemId, k)),
    complements: (cartItemIds, k) => pipeline.run(complementsPlan(settings, cartItemIds, k)),
    popular: (k) => pipeline.run(popularPlan(k)),
  };
}
