/**
 * The trainer's jobs and their payloads: one TypeBox schema per job name, checked before any
 * work starts so a bad payload fails once, as unrecoverable, instead of being retried.
 */
import Type from 'typebox';
import Value from 'typebox/value';
import { ERROR_CODES, PermanentError } from '@recstream/errors';

const ModelName = Type.String({ pattern: '^[a-z][a-z0-9-]{0,63}$' });
const VersionName = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$' });
const Reason = Type.String({ maxLength: 500 });

export const JOB_PAYLOADS = {
  'full-train': Type.Object(
    { model: ModelName, reason: Type.Optional(Reason) },
    { additionalProperties: false },
  ),
  'incremental-update': Type.Object(
    { model: ModelName, trigger: Type.Optional(Type.Enum(['schedule', 'new-events', 'manual'])) },
    { additionalProperties: false },
  ),
  evaluate: Type.Object(
    { model: ModelName, version: Type.Optional(VersionName) },
    { additionalProperties: false },
  ),
  publish: Type.Object(
    {
      model: ModelName,
      version: VersionName,
      force: Type.Optional(Type.Boolean()),
      reason: Type.Optional(Reason),
    },
    { additionalProperties: false },
  ),
  rollback: Type.Object(
    { model: ModelName, to: Type.Optional(VersionName), reason: Type.Optional(Reason) },
    { additionalProperties: false },
  ),
  'train-popularity': Type.Object({}, { additionalProperties: false }),
} as const;

export type JobName = keyof typeof JOB_PAYLOADS;
export type JobPayload<N extends JobName> = Type.Static<(typeof JOB_PAYLOADS)[N]>;
export const JOB_NAMES = Object.keys(JOB_PAYLOADS) as JobName[];

function invalid(message: string): PermanentError {
  return new PermanentError(ERROR_CODES.invalidInput, message);
}

export function isJobName(name: string): name is JobName {
  return Object.hasOwn(JOB_PAYLOADS, name);
}

/** The payload of job `name`, or a PermanentError listing every problem. */
export function parsePayload<N extends JobName>(name: N, data: unknown): JobPayload<N> {
  const schema = JOB_PAYLOADS[name];
  if (!Value.Check(schema, data)) {
    const problems = Value.Errors(schema, data).map(
      (e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`,
    );
    throw invalid(`job ${name}: invalid payload: ${problems.join('; ')}`);
  }
  return data;
}

export function checkJobName(name: string): JobName {
  if (!isJobName(name)) throw invalid(`unknown job ${JSON.stringify(name)}; known: ${JOB_NAMES.join(', ')}`);
  return name;
}
