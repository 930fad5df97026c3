import t from 'tap';
import { ConfigError } from '@recstream/config';
import { createMetrics } from '@recstream/metrics';
import type { Recommender } from '../pipeline/flows/recommender.js';
import type { Ranker } from '../pipeline/ranker.js';
import { DEFAULT_SETTINGS, type PipelineSettings } from '../pipeline/settings.js';
import { assignmentPoint, pickVariant } from './assignment.js';
import { parseExperiments } from './experiment.config.js';
import { createExperiments, variantSettings } from './experiments.js';

const ranker = (name: string): Ranker => ({
  name,
  rank: (c) => Promise.resolve({ candidates: [...c], rankedBy: name }),
});
const blended = ranker('blended');

/** Recommenders that only remember what they were built with. */
function setup(json: unknown[], rankers?: ReadonlyMap<string, Ranker>) {
  const built: { settings: PipelineSettings; ranker: Ranker; recommender: Recommender }[] = [];
  const metrics = createMetrics('serving', { defaultMetrics: false });
  const experiments = createExperiments({
    specs: parseExperiments('X', JSON.stringify(json)),
    settings: DEFAULT_SETTINGS,
    ranker: blended,
    ...(rankers === undefined ? {} : { rankers }),
    metrics,
    recommender: (settings, r) => {
      const recommender = {} as Recommender;
      built.push({ settings, ranker: r, recommender });
      return recommender;
    },
  });
  const settingsOf = (recommender: Recommender) => built.find((b) => b.recommender === recommender);
  return { experiments, built, settingsOf, metrics };
}

const DIVERSITY = {
  name: 'diversity-1',
  flows: ['recommendations'],
  variants: [
    { name: 'control', weight: 1 },
    {
      name: 'varied',
      weight: 1,
      diversity_lambda: 0.3,
      source_weights: { recommendations: { trending: 0.9 } },
    },
  ],
};

t.test('a shopper is answered by the recommender of their variant, always the same one', (t) => {
  const { experiments, settingsOf } = setup([DIVERSITY]);
  const seen = new Set<string>();
  const wrong: string[] = [];
  for (let i = 0; i < 200; i += 1) {
    const userId = `u-${i}`;
    const arm = experiments.arm('recommendations', { userId, sessionId: 'whatever' });
    const expected = pickVariant([1, 1], assignmentPoint('diversity-1', userId)) === 0 ? 'control' : 'varied';
    const lambda = settingsOf(arm.recommender)?.settings.diversityLambda;
    const again = experiments.arm('recommendations', { userId }).recommender;
    if (
      arm.experiment !== 'diversity-1' ||
      arm.variant !== expected ||
      again !== arm.recommender ||
      lambda !== (expected === 'varied' ? 0.3 : DEFAULT_SETTINGS.diversityLambda)
    )
      wrong.push(`${userId}: ${arm.variant} (expected ${expected}), lambda ${lambda}`);
    seen.add(arm.variant ?? '');
  }
  t.same(wrong, [], 'each of 200 shoppers gets the variant of their hash, with its settings, every time');
  t.same([...seen].sort(), ['control', 'varied']);
  t.end();
});

t.test('outside an experiment: other flows, and requests that name nobody', (t) => {
  const { experiments } = setup([DIVERSITY]);
  const similar = experiments.arm('similar', { userId: 'u-1' });
  t.equal(similar.experiment, undefined);
  t.equal(similar.variant, undefined);
  t.equal(similar.ranker, 'blended');
  t.equal(experiments.arm('recommendations', {}).experiment, undefined, 'no id, nothing stable to assign by');
  t.end();
});

t.test("a variant's overrides change only what they name", (t) => {
  const settings = variantSettings(DEFAULT_SETTINGS, {
    name: 'v',
    weight: 1,
    exclude_purchased: false,
    source_weights: { recommendations: { trending: 0.9 }, similar: { popular: 0 } },
  });
  t.equal(settings.excludePurchased, false);
  t.equal(settings.diversityLambda, DEFAULT_SETTINGS.diversityLambda);
  t.equal(settings.weights.recommendations.trending, 0.9);
  t.equal(
    settings.weights.recommendations.covisit_recent,
    DEFAULT_SETTINGS.weights.recommendations.covisit_recent,
  );
  t.equal(settings.weights.similar.popular, 0);
  t.same(settings.weights.complements, DEFAULT_SETTINGS.weights.complements);
  t.same(settings.rules, DEFAULT_SETTINGS.rules);
  t.end();
});

t.test('rankers by name; an unknown one is refused at startup', (t) => {
  const spec = {
    name: 'ranker-1',
    variants: [
      { name: 'baseline', weight: 1 },
      { name: 'learned', weight: 1, ranker: 'seq-v3' },
    ],
  };
  const { experiments, built } = setup([spec], new Map([['seq-v3', ranker('seq-v3')]]));
  t.same(
    built.map((b) => b.ranker.name).sort(),
    ['blended', 'seq-v3'],
    'the control shares the default recommender',
  );
  const rankersSeen = new Set(
    Array.from({ length: 100 }, (_, i) => experiments.arm('complements', { anonymousId: `a-${i}` }).ranker),
  );
  t.same([...rankersSeen].sort(), ['blended', 'seq-v3']);
  t.throws(() => setup([spec]), ConfigError);
  t.throws(
    () => setup([spec]),
    /variant learned names ranker seq-v3, which is not registered \(known: blended\)/,
  );
  t.end();
});

t.test('exposures are counted per experiment and variant; the admin description', async (t) => {
  const { experiments, metrics } = setup([DIVERSITY]);
  const arm = experiments.arm('recommendations', { userId: 'u-1' });
  experiments.exposed('recommendations', arm);
  experiments.exposed('recommendations', arm);
  experiments.exposed('similar', experiments.arm('similar', { userId: 'u-1' }));
  const text = await metrics.registry.metrics();
  t.match(
    text,
    `rec_serving_experiment_exposures_total{experiment="diversity-1",variant="${arm.variant}",flow="recommendations"} 2`,
  );
  t.notMatch(text, /flow="similar"/, 'an answer outside experiments is no exposure');
  t.same(experiments.describe(), [
    {
      name: 'diversity-1',
      flows: ['recommendations'],
      variants: [
        { name: 'control', weight: 1, share: 0.5, ranker: 'blended', overrides: {} },
        {
          name: 'varied',
          weight: 1,
          share: 0.5,
          ranker: 'blended',
          overrides: { diversity_lambda: 0.3, source_weights: { recommendations: { trending: 0.9 } } },
        },
      ],
    },
  ]);
});
