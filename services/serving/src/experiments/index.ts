/** Experiments: configuration, deterministic assignment, and the recommender of each variant. */
export { assignmentPoint, assignmentUnit, pickVariant } from './assignment.js';
export {
  loadExperiments,
  parseExperiments,
  type ExperimentSpec,
  type VariantSpec,
} from './experiment.config.js';
export {
  createExperiments,
  variantSettings,
  type Arm,
  type Experiments,
  type Subject,
} from './experiments.js';
