/** The trainer's jobs, for the worker and for the integration tests that run them one by one. */
export { runEvaluate, type EvaluateOutcome } from './evaluate.job.js';
export { runFullTrain, type FullTrainOutcome } from './full-train.job.js';
export { casesBeyond } from './holdout-window.js';
export { runIncrementalUpdate, type IncrementalOutcome } from './incremental-update.job.js';
export { checkJobName, isJobName, parsePayload, type JobName, type JobPayload } from './job-payloads.js';
export { modelLockKey, withModelLock } from './model-lock.js';
export { runPublish } from './publish.job.js';
export type { SequenceJobDeps, SequenceSettings } from './sequence-settings.js';
export {
  POPULARITY_MODEL,
  trainPopularity,
  type PopularityArtifact,
  type TrainPopularityDeps,
  type TrainPopularityParams,
} from './train-popularity.job.js';
