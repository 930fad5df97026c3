/**
 * Reads the trainer's job payloads (their schemas are in @recstream/schemas): checked before any
 * work starts so a bad payload fails once, as unrecoverable, instead of being retried.
 */
import Value from 'typebox/value';
import { ERROR_CODES, PermanentError } from '@recstream/errors';
import {
  TRAINER_JOB_NAMES,
  TRAINER_JOB_PAYLOADS,
  type TrainerJobName,
  type TrainerJobPayload,
} from '@recstream/schemas';

export type JobName = TrainerJobName;
export type JobPayload<N extends JobName> = TrainerJobPayload<N>;

function invalid(message: string): PermanentError {
  return new PermanentError(ERROR_CODES.invalidInput, message);
}

export function isJobName(name: string): name is JobName {
  return Object.hasOwn(TRAINER_JOB_PAYLOADS, name);
}

/** The payload of job `name`, or a PermanentError listing every problem. */
export function parsePayload<N extends JobName>(name: N, data: unknown): JobPayload<N> {
  const schema = TRAINER_JOB_PAYLOADS[name];
  if (!Value.Check(schema, data)) {
    const problems = Value.Errors(schema, data).map(
      (e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`,
    );
    throw invalid(`job ${name}: invalid payload: ${problems.join('; ')}`);
  }
  return data;
}

export function checkJobName(name: string): JobName {
  if (!isJobName(name))
    throw invalid(`unknown job ${JSON.stringify(name)}; known: ${TRAINER_JOB_NAMES.join(', ')}`);
  return name;
}
