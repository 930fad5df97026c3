/** What the recommendation routes share: turning a pipeline answer into the wire format, and id lists. */
import { ERROR_CODES, PermanentError } from '@recstream/errors';
import { ID_LIST_MAX, type RecommendationsResponse } from '@recstream/schemas';
import type { Answer } from '../pipeline/pipeline.js';

export function toResponse(answer: Answer): RecommendationsResponse {
  return {
    request_id: answer.requestId,
    items: answer.items,
    degraded: answer.degraded,
    ...(answer.degradedReason === undefined ? {} : { degraded_reason: answer.degradedReason }),
  };
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
