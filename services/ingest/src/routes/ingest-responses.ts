/** Response contracts of the collector, shared by its routes and its OpenAPI description. */
import Type from 'typebox';

export const Problem = Type.Object({
  field: Type.String({ description: 'JSON pointer of the offending field' }),
  reason: Type.String(),
});

export const Rejection = Type.Object({
  index: Type.Integer({ description: 'Position of the rejected record in the request (0 for a single one)' }),
  problems: Type.Array(Problem),
});

export const AcceptedResponse = Type.Object({
  accepted: Type.Integer({ description: 'Records now durable in Kafka' }),
  rejected: Type.Array(Rejection, { description: 'Records refused, each with its reasons' }),
});
export type AcceptedResponse = Type.Static<typeof AcceptedResponse>;

export const ErrorResponse = Type.Object({
  error: Type.Object({
    code: Type.String({ description: 'Stable error code, REC_ERR_…' }),
    message: Type.String(),
    rejected: Type.Optional(Type.Array(Rejection)),
  }),
});
