/**
 * Running experiments: for each flow, which recommender answers a shopper — the deployment's own
 * (no experiment covers the flow, or the request names no shopper to assign) or the one of the
 * variant the shopper is assigned to. Each variant gets its own recommender, built once at startup
 * from the deployment's settings with the variant's overrides, so a request pays nothing for
 * experiments beyond one hash.
 */
import { ConfigError } from '@recstream/config';
import type { ServiceMetrics } from '@recstream/metrics';
import { EXPERIMENT_FLOWS, type ExperimentFlow, type ExperimentsResponse } from '@recstream/schemas';
import type { SourceWeights } from '../pipeline/blend.js';
import type { Recommender } from '../pipeline/flows/recommender.js';
import type { Ranker } from '../pipeline/ranker.js';
import type { Flow, PipelineSettings } from '../pipeline/settings.js';
import { assignmentPoint, assignmentUnit, pickVariant } from './assignment.js';
import type { ExperimentSpec, VariantSpec } from './experiment.config.js';

/** Who answers a request, and under which experiment and variant (absent outside experiments). */
export interface Arm {
  readonly recommender: Recommender;
  readonly ranker: string;
  readonly experiment?: string;
  readonly variant?: string;
}

export interface Subject {
  readonly userId?: string | undefined;
  readonly anonymousId?: string | undefined;
  readonly sessionId?: string | undefined;
}

export interface Experiments {
  /** The arm that answers this shopper on this flow. */
  arm(flow: ExperimentFlow, subject: Subject): Arm;
  /** Counts an answer served under an experiment (the exposure; the impression event records it too). */
  exposed(flow: ExperimentFlow, arm: Arm): void;
  /** What runs, for the admin endpoint. */
  describe(): ExperimentsResponse['experiments'];
}

export interface ExperimentsDeps {
  readonly specs: readonly ExperimentSpec[];
  readonly settings: PipelineSettings;
  readonly ranker: Ranker;
  /** Rankers variants may name; the default ranker is always available under its name. */
  readonly rankers?: ReadonlyMap<string, Ranker>;
  /** Builds a recommender with these settings and ranker (sharing the process's metrics and fallback). */
  readonly recommender: (settings: PipelineSettings, ranker: Ranker) => Recommender;
  readonly metrics: ServiceMetrics;
}

interface RunningExperiment {
  readonly spec: ExperimentSpec;
  readonly weights: readonly number[];
  readonly arms: readonly Arm[];
}

/** The deployment's settings with a variant's overrides. */
export function variantSettings(base: PipelineSettings, variant: VariantSpec): PipelineSettings {
  const weights = (flow: Flow): SourceWeights => ({
    ...base.weights[flow],
    ...(variant.source_weights?.[flow] as Partial<SourceWeights> | undefined),
  });
  return {
    ...base,
    ...(variant.diversity_lambda === undefined ? {} : { diversityLambda: variant.diversity_lambda }),
    ...(variant.exclude_purchased === undefined ? {} : { excludePurchased: variant.exclude_purchased }),
    weights: {
      recommendations: weights('recommendations'),
      similar: weights('similar'),
      complements: weights('complements'),
    },
  };
}

function overridesOf(variant: VariantSpec): Record<string, unknown> {
  const { name: _name, weight: _weight, ...overrides } = variant;
  return overrides;
}

export function createExperiments(deps: ExperimentsDeps): Experiments {
  const rankers = new Map(deps.rankers ?? []);
  rankers.set(deps.ranker.name, deps.ranker);
  const control: Arm = {
    recommender: deps.recommender(deps.settings, deps.ranker),
    ranker: deps.ranker.name,
  };

  const problems: string[] = [];
  const byFlow = new Map<ExperimentFlow, RunningExperiment>();
  for (const spec of deps.specs) {
    const arms = spec.variants.map((variant): Arm => {
      const rankerName = variant.ranker ?? deps.ranker.name;
      const ranker = rankers.get(rankerName);
      if (ranker === undefined)
        problems.push(
          `experiment ${spec.name} variant ${variant.name} names ranker ${rankerName}, which is not registered (known: ${[...rankers.keys()].join(', ')})`,
        );
      const overridden = Object.keys(overridesOf(variant)).length > 0;
      return {
        // A variant that changes nothing shares the control's recommender.
        recommender: overridden
          ? deps.recommender(variantSettings(deps.settings, variant), ranker ?? deps.ranker)
          : control.recommender,
        ranker: rankerName,
        experiment: spec.name,
        variant: variant.name,
      };
    });
    const running = { spec, weights: spec.variants.map((v) => v.weight), arms };
    for (const flow of spec.flows) byFlow.set(flow, running);
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const exposures = deps.metrics.counter(
    'experiment_exposures_total',
    'Answers served under an experiment, by experiment, variant and flow',
    ['experiment', 'variant', 'flow'],
  );

  return {
    arm(flow, subject) {
      const running = byFlow.get(flow);
      if (running === undefined) return control;
      // Without an id there is nothing stable to assign by: the deployment's own answer, outside the experiment.
      const unit = assignmentUnit(subject);
      if (unit === undefined) return control;
      return running.arms[pickVariant(running.weights, assignmentPoint(running.spec.name, unit))] ?? control;
    },
    exposed(flow, arm) {
      if (arm.experiment !== undefined && arm.variant !== undefined)
        exposures.inc({ experiment: arm.experiment, variant: arm.variant, flow });
    },
    describe() {
      return deps.specs.map((spec) => {
        const total = spec.variants.reduce((sum, v) => sum + v.weight, 0);
        return {
          name: spec.name,
          flows: EXPERIMENT_FLOWS.filter((flow) => spec.flows.includes(flow)),
          variants: spec.variants.map((variant) => ({
            name: variant.name,
            weight: variant.weight,
            share: variant.weight / total,
            ranker: variant.ranker ?? deps.ranker.name,
            overrides: overridesOf(variant),
          })),
        };
      });
    },
  };
}
