/**
 * What the recommendation routes share: answering through the experiment arm a shopper is
 * assigned to, logging the answer as an impression, turning it into the wire format, and id lists.
 */
import { ERROR_CODES, PermanentError } from '@recstream/errors';
import { ID_LIST_MAX, type ExperimentFlow, type RecommendationsResponse } from '@recstream/schemas';
import type { Arm, Experiments, Subject } from '../experiments/experiments.js';
import type { ImpressionList } from '../impressions/impression-event.js';
import type { ImpressionLog } from '../impressions/impression-log.js';
import type { Answer, Recommender } from '../pipeline/flows/recommender.js';

export function toResponse(answer: Answer, arm?: Arm): RecommendationsResponse {
  return {
    request_id: answer.requestId,
    items: answer.items,
    degraded: answer.degraded,
    ...(answer.degradedReason === undefined ? {} : { degraded_reason: answer.degradedReason }),
    ranker: answer.ranker,
    ...(arm?.experiment === undefined ? {} : { experiment: arm.experiment, variant: arm.variant }),
  };
}

/** What the routes are given to answer with. */
export interface AnswerDeps {
  readonly experiments: Experiments;
  /** Absent when impression logging is off (REC_SERVING_IMPRESSIONS=off, or tests). */
  readonly impressions?: ImpressionLog | undefined;
  readonly maxK: number;
  readonly clock?: () => number;
}

/**
 * Answers one shopper on one flow: picks the arm, runs `compute` with its recommender, counts the
 * exposure and logs the impression (without waiting for it), and returns the wire format.
 */
export async function answerFor(
  deps: AnswerDeps,
  flow: ExperimentFlow,
  list: ImpressionList,
  subject: Subject,
  compute: (recommender: Recommender) => Promise<Answer>,
): Promise<RecommendationsResponse> {
  const arm = deps.experiments.arm(flow, subject);
  const answer = await compute(arm.recommender);
  deps.experiments.exposed(flow, arm);
  deps.impressions?.record({
    requestId: answer.requestId,
    list,
    userId: subject.userId,
    anonymousId: subject.anonymousId,
    sessionId: subject.sessionId,
    itemIds: answer.items.map((item) => item.item_id),
    experiment: arm.experiment,
    variant: arm.variant,
    ranker: answer.ranker,
    degraded: answer.degraded,
    at: new Date((deps.clock ?? Date.now)()),
  });
  return toResponse(answer, arm);
}

/** `a,b,c` (already checked against the id pattern by the schema) → ids; too many is a 400. */
export function idList(name: string, text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const ids = [...new Set(text.split(','))];
  if (ids.length > ID_LIST_MAX) {
    throw new PermanentError(
      ERROR_CODES.invalidInput,
      `querystring/${name} must list at most ${ID_LIST_MAX} ids`,
    );
  }
  return ids;
}
