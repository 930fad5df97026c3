import t from 'tap';
import { ConfigError } from '@recstream/config';
import { loadConfig, pipelineSettings } from './config.js';
import { DEFAULT_SETTINGS } from './pipeline/settings.js';

t.test('an empty environment gives the default pipeline settings', (t) => {
  t.same(pipelineSettings(loadConfig({})), DEFAULT_SETTINGS);
  t.end();
});

t.test('weights and standing rules from JSON', (t) => {
  const settings = pipelineSettings(
    loadConfig({
      REC_SERVING_DIVERSITY_LAMBDA: '0.4',
      REC_SERVING_EXCLUDE_PURCHASED: 'false',
      REC_SERVING_SOURCE_WEIGHTS: '{"recommendations": {"trending": 0}}',
      REC_SERVING_RULES: JSON.stringify({
        pin: ['sku-1'],
        boost: [{ match: { brands: ['Acme'] }, factor: 1.5 }],
        bury: [{ category_prefix: 'Outdoor > Tents' }],
        brand_cap: 2,
      }),
    }),
  );
  t.equal(settings.diversityLambda, 0.4);
  t.equal(settings.excludePurchased, false);
  t.equal(settings.weights.recommendations.trending, 0);
  t.equal(
    settings.weights.recommendations.popular,
    DEFAULT_SETTINGS.weights.recommendations.popular,
    'others kept',
  );
  t.same(settings.weights.similar, DEFAULT_SETTINGS.weights.similar);
  t.same(settings.rules.pin, ['sku-1']);
  t.same(settings.rules.boost?.[0]?.match.brands, ['Acme']);
  t.same(settings.rules.bury?.[0]?.categoryPrefix, ['Outdoor', 'Tents']);
  t.equal(settings.rules.brandCap, 2);
  t.end();
});

t.test('bad JSON settings are refused at startup, naming the variable', (t) => {
  const refused = (env: Record<string, string>, message: RegExp) => {
    let caught: unknown;
    try {
      pipelineSettings(loadConfig(env));
    } catch (error) {
      caught = error;
    }
    t.ok(caught instanceof ConfigError, `${JSON.stringify(env)} is refused`);
    t.match(caught instanceof Error ? caught.message : '', message);
  };
  refused({ REC_SERVING_RULES: '{pin:' }, /REC_SERVING_RULES is not JSON/);
  refused({ REC_SERVING_RULES: '{"pin": ["a b"]}' }, /REC_SERVING_RULES\/pin\/0/);
  refused({ REC_SERVING_RULES: '{"brand_cap": 0}' }, /REC_SERVING_RULES\/brand_cap/);
  refused({ REC_SERVING_SOURCE_WEIGHTS: '{"recommendations": {"magic": 1}}' }, /REC_SERVING_SOURCE_WEIGHTS/);
  refused(
    { REC_SERVING_SOURCE_WEIGHTS: '{"similar": {"popular": -1}}' },
    /REC_SERVING_SOURCE_WEIGHTS\/similar\/popular/,
  );
  t.throws(() => loadConfig({ REC_SERVING_DIVERSITY_LAMBDA: '2' }), ConfigError, 'lambda above 1');
  t.end();
});

t.test('operation settings: defaults, and bad values named', (t) => {
  const config = loadConfig({});
  t.equal(config.REC_SERVING_AUTH, 'required', 'API keys are required unless switched off');
  t.equal(config.REC_SERVING_IMPRESSIONS, 'kafka');
  t.equal(config.REC_SERVING_MAX_BODY_BYTES, 64 * 1024);
  t.equal(config.REC_SERVING_EXPERIMENTS, '');
  t.equal(loadConfig({ REC_SERVING_AUTH: 'required' }).REC_SERVING_AUTH, 'required');
  t.throws(
    () => loadConfig({ REC_SERVING_AUTH: 'sometimes', REC_SERVING_IMPRESSION_QUEUE: '0' }),
    /REC_SERVING_AUTH[\s\S]*REC_SERVING_IMPRESSION_QUEUE/,
  );
  t.end();
});

t.test('model settings: off by default, names checked', (t) => {
  const config = loadConfig({});
  t.equal(config.REC_SERVING_MODEL_DIR, '', 'no registry: blended ranking');
  t.equal(config.REC_SERVING_MODEL_NAME, 'sasrec');
  t.equal(config.REC_SERVING_MODEL_REQUIRED, true);
  t.equal(config.REC_SERVING_MODEL_RANK_WEIGHT, 0.7);
  t.equal(config.REC_SERVING_MODEL_UPDATES, 'kafka');
  t.throws(() => loadConfig({ REC_SERVING_MODEL_NAME: '../x' }), ConfigError);
  t.throws(() => loadConfig({ REC_SERVING_MODEL_RANK_WEIGHT: '1.5' }), ConfigError);
  t.throws(() => loadConfig({ REC_SERVING_MODEL_UPDATES: 'poll' }), ConfigError);
  t.end();
});
