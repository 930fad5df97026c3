/**
 * The trainer's BullMQ jobs and their payloads: one schema per job name. Whoever enqueues (the
 * trainer's schedules and triggers, the models CLI) writes these; the worker checks every payload
 * before any work starts, so a bad one fails once, as unrecoverable, instead of being retried.
 */
import Type from 'typebox';
import { ModelName, VersionName } from '../models/model-version.schema.js';

const Reason = Type.String({ maxLength: 500 });

export const TRAINER_JOB_PAYLOADS = {
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

export type TrainerJobName = keyof typeof TRAINER_JOB_PAYLOADS;
export type TrainerJobPayload<N extends TrainerJobName> = Type.Static<(typeof TRAINER_JOB_PAYLOADS)[N]>;
export const TRAINER_JOB_NAMES = Object.keys(TRAINER_JOB_PAYLOADS) as TrainerJobName[];
