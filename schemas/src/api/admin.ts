/**
 * Serving's operational API (admin scope): which experiments run, and which variant a shopper
 * gets. Also the error body every serving refusal has.
 */
import Type from 'typebox';
import { ID_MAX_LENGTH, ID_PATTERN } from '../events/event.schema.js';

/** The flows an experiment can cover (the batch endpoint runs the `recommendations` flow). */
export const EXPERIMENT_FLOWS = ['recommendations', 'similar', 'complements', 'popular'] as const;
export type ExperimentFlow = (typeof EXPERIMENT_FLOWS)[number];

/** What every refused request gets: a stable code for machines, a sentence for people. */
export const ApiErrorResponse = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String() }),
});
export type ApiErrorResponse = Type.Static<typeof ApiErrorResponse>;

export const ExperimentVariantDescription = Type.Object({
  name: Type.String(),
  weight: Type.Number(),
  share: Type.Number({ description: 'Fraction of shoppers assigned: weight / sum of weights' }),
  ranker: Type.String(),
  overrides: Type.Record(Type.String(), Type.Unknown(), {
    description: 'Pipeline settings this variant changes, as configured',
  }),
});

export const ExperimentsResponse = Type.Object({
  experiments: Type.Array(
    Type.Object({
      name: Type.String(),
      flows: Type.Array(Type.Enum(EXPERIMENT_FLOWS)),
      variants: Type.Array(ExperimentVariantDescription),
    }),
  ),
});
export type ExperimentsResponse = Type.Static<typeof ExperimentsResponse>;

const Id = (description: string) =>
  Type.String({ minLength: 1, maxLength: ID_MAX_LENGTH, pattern: ID_PATTERN, description });

export const AssignmentQuery = Type.Object({
  flow: Type.Enum(EXPERIMENT_FLOWS, { default: 'recommendations' }),
  user_id: Type.Optional(Id('Logged-in shopper')),
  anonymous_id: Type.Optional(Id('Device or cookie id')),
  session_id: Type.Optional(Id('Session')),
});
export type AssignmentQuery = Type.Static<typeof AssignmentQuery>;

export const AssignmentResponse = Type.Object({
  flow: Type.Enum(EXPERIMENT_FLOWS),
  unit: Type.Union([Type.String(), Type.Null()], {
    description: 'The id assignment hashed: user_id, else anonymous_id, else session_id',
  }),
  experiment: Type.Union([Type.String(), Type.Null()]),
  variant: Type.Union([Type.String(), Type.Null()]),
});
export type AssignmentResponse = Type.Static<typeof AssignmentResponse>;
