/**
 * The collector's replies (ingest: `POST /v1/events`, `/v1/items`, `/v1/items/delete`,
 * `DELETE /v1/items/:id`): what its routes and its OpenAPI description answer, and what the SDK
 * decodes. `202 {accepted, rejected}` when some records were taken; `{error: {code, message,
 * rejected?}}` for a refused request (400 when no record was valid, 401/403/413/429/503).
 */
import Type from 'typebox';

export const CollectorProblem = Type.Object({
  field: Type.String({ description: 'JSON pointer of the offending field' }),
  reason: Type.String(),
});

export const CollectorRejection = Type.Object({
  index: Type.Integer({ description: 'Position of the rejected record in the request (0 for a single one)' }),
  problems: Type.Array(CollectorProblem),
});
export type CollectorRejection = Type.Static<typeof CollectorRejection>;

export const CollectorAcceptedResponse = Type.Object({
  accepted: Type.Integer({ description: 'Records now durable in Kafka' }),
  rejected: Type.Array(CollectorRejection, { description: 'Records refused, each with its reasons' }),
});
export type CollectorAcceptedResponse = Type.Static<typeof CollectorAcceptedResponse>;

export const CollectorErrorResponse = Type.Object({
  error: Type.Object({
    code: Type.String({ description: 'Stable error code, REC_ERR_…' }),
    message: Type.String(),
    rejected: Type.Optional(Type.Array(CollectorRejection)),
  }),
});
export type CollectorErrorResponse = Type.Static<typeof CollectorErrorResponse>;
