/**
 * The experiments a deployment runs, as JSON in `REC_SERVING_EXPERIMENTS` or in the file
 * `REC_SERVING_EXPERIMENTS_FILE` (one of them):
 *
 *   [{ "name": "diversity-2026-11", "flows": ["recommendations"],
 *      "variants": [
 *        { "name": "control", "weight": 50 },
 *        { "name": "varied", "weight": 50, "diversity_lambda": 0.5,
 *          "source_weights": { "recommendations": { "trending": 0.4 } }, "ranker": "blended" } ] }]
 *
 * A variant without overrides is the deployment's own configuration (the control). Overrides:
 * `diversity_lambda`, `source_weights` (per flow and source, like REC_SERVING_SOURCE_WEIGHTS),
 * `exclude_purchased`, `ranker` (a ranker the process registered by name; a model version is a
 * ranker registered under its own name). One experiment per flow at a time, so every answer
 * belongs to at most one experiment and the per-variant numbers are not confounded. `flows` may
 * name `popular`; the popular list keeps its order whatever a variant overrides, so an experiment
 * there splits shoppers (exposures, impressions) without changing what they see.
 */
import { readFileSync } from 'node:fs';
import { ConfigError, Type } from '@recstream/config';
import { EXPERIMENT_FLOWS, type ExperimentFlow } from '@recstream/schemas';
import { WeightsJson, parseJson } from '../config.js';

/**
 * What an experiment without `flows` covers: the personalised flows. The popular list joins an
 * experiment only when named (it was outside every experiment before it became a flow).
 */
const DEFAULT_FLOWS: readonly ExperimentFlow[] = ['recommendations', 'similar', 'complements'];

/** Names travel in impression events and ClickHouse group keys: short and printable. */
const NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';

const VariantJson = Type.Object(
  {
    name: Type.String({ pattern: NAME_PATTERN }),
    weight: Type.Number({ exclusiveMinimum: 0, maximum: 1_000_000 }),
    diversity_lambda: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    source_weights: Type.Optional(WeightsJson),
    exclude_purchased: Type.Optional(Type.Boolean()),
    ranker: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);

const ExperimentJson = Type.Object(
  {
    name: Type.String({ pattern: NAME_PATTERN }),
    flows: Type.Optional(Type.Array(Type.Enum(EXPERIMENT_FLOWS), { minItems: 1 })),
    variants: Type.Array(VariantJson, { minItems: 2, maxItems: 20 }),
  },
  { additionalProperties: false },
);

const ExperimentsJson = Type.Array(ExperimentJson, { maxItems: 20 });

export type VariantSpec = Type.Static<typeof VariantJson>;
export interface ExperimentSpec {
  readonly name: string;
  readonly flows: readonly ExperimentFlow[];
  readonly variants: readonly VariantSpec[];
}

/** Parses and checks the experiments JSON; every problem is reported, named by `source`. */
export function parseExperiments(source: string, text: string): ExperimentSpec[] {
  const json = parseJson(source, text, ExperimentsJson) ?? [];
  const problems: string[] = [];
  const owner = new Map<ExperimentFlow, string>();
  const names = new Set<string>();
  const specs = json.map((experiment, i) => {
    if (names.has(experiment.name)) problems.push(`${source}/${i}/name ${experiment.name} is used twice`);
    names.add(experiment.name);
    const variantNames = new Set<string>();
    experiment.variants.forEach((variant, j) => {
      if (variantNames.has(variant.name))
        problems.push(
          `${source}/${i}/variants/${j}/name ${variant.name} is used twice in ${experiment.name}`,
        );
      variantNames.add(variant.name);
    });
    const flows = [...new Set(experiment.flows ?? DEFAULT_FLOWS)];
    for (const flow of flows) {
      const other = owner.get(flow);
      if (other !== undefined)
        problems.push(
          `${source}/${i} ${experiment.name} and ${other} both cover the ${flow} flow: one experiment per flow`,
        );
      owner.set(flow, experiment.name);
    }
    return { name: experiment.name, flows, variants: experiment.variants };
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return specs;
}

/** The experiments from the environment: inline JSON or a file, not both; none when neither is set. */
export function loadExperiments(config: {
  REC_SERVING_EXPERIMENTS: string;
  REC_SERVING_EXPERIMENTS_FILE: string;
}): ExperimentSpec[] {
  const inline = config.REC_SERVING_EXPERIMENTS.trim();
  const file = config.REC_SERVING_EXPERIMENTS_FILE.trim();
  if (inline !== '' && file !== '')
    throw new ConfigError(['set REC_SERVING_EXPERIMENTS or REC_SERVING_EXPERIMENTS_FILE, not both']);
  if (file === '') return parseExperiments('REC_SERVING_EXPERIMENTS', inline);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError([
      `REC_SERVING_EXPERIMENTS_FILE ${file} cannot be read: ${error instanceof Error ? error.message : String(error)}`,
    ]);
  }
  return parseExperiments(`REC_SERVING_EXPERIMENTS_FILE (${file})`, text);
}
