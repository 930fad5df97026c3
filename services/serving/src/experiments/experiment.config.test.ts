import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { ConfigError } from '@recstream/config';
import { loadExperiments, parseExperiments } from './experiment.config.js';

const diversity = {
  name: 'diversity-1',
  flows: ['recommendations'],
  variants: [
    { name: 'control', weight: 50 },
    {
      name: 'varied',
      weight: 50,
      diversity_lambda: 0.4,
      source_weights: { recommendations: { trending: 0.5 } },
    },
  ],
};

function problems(text: string): string[] {
  try {
    parseExperiments('REC_SERVING_EXPERIMENTS', text);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

t.test('a valid configuration; flows default to all three', (t) => {
  const specs = parseExperiments(
    'X',
    JSON.stringify([
      diversity,
      {
        name: 'ranker-2',
        flows: ['similar'],
        variants: [
          { name: 'a', weight: 1 },
          { name: 'b', weight: 1, ranker: 'seq' },
        ],
      },
    ]),
  );
  t.equal(specs.length, 2);
  t.same(specs[0]?.flows, ['recommendations']);
  t.equal(specs[0]?.variants[1]?.diversity_lambda, 0.4);
  const all = parseExperiments('X', JSON.stringify([{ ...diversity, flows: undefined }]));
  t.same(all[0]?.flows, ['recommendations', 'similar', 'complements']);
  t.same(parseExperiments('X', ''), [], 'nothing configured: no experiments');
  t.end();
});

t.test('every mistake is refused with the place it is at', (t) => {
  t.match(problems('{'), [/REC_SERVING_EXPERIMENTS is not JSON/]);
  t.match(problems(JSON.stringify([{ ...diversity, variants: [{ name: 'only', weight: 1 }] }])), [
    /variants/,
  ]);
  t.match(
    problems(
      JSON.stringify([
        {
          ...diversity,
          variants: [
            { name: 'a', weight: 0 },
            { name: 'b', weight: 1 },
          ],
        },
      ]),
    ),
    [/weight/],
  );
  t.match(
    problems(
      JSON.stringify([
        {
          ...diversity,
          variants: [
            { name: 'a', weight: 1, diversity_lambda: 2 },
            { name: 'b', weight: 1 },
          ],
        },
      ]),
    ),
    [/diversity_lambda/],
  );
  t.match(
    problems(
      JSON.stringify([
        {
          ...diversity,
          variants: [
            { name: 'a', weight: 1, colour: 'red' },
            { name: 'b', weight: 1 },
          ],
        },
      ]),
    ),
    [/variants\/0/],
  );
  t.match(
    problems(
      JSON.stringify([
        {
          ...diversity,
          variants: [
            { name: 'a', weight: 1, source_weights: { recommendations: { nonsense: 1 } } },
            { name: 'b', weight: 1 },
          ],
        },
      ]),
    ),
    [/source_weights/],
  );
  t.match(problems(JSON.stringify([{ ...diversity, name: 'has space' }])), [/name/]);
  t.match(problems(JSON.stringify([{ ...diversity, flows: ['search'] }])), [/flows/]);
  t.match(
    problems(
      JSON.stringify([
        {
          ...diversity,
          variants: [
            { name: 'a', weight: 1 },
            { name: 'a', weight: 1 },
          ],
        },
      ]),
    ),
    [/a is used twice in diversity-1/],
  );
  t.match(problems(JSON.stringify([diversity, diversity])), [
    /diversity-1 is used twice/,
    /both cover the recommendations flow/,
  ]);
  t.match(problems(JSON.stringify([diversity, { ...diversity, name: 'other', flows: undefined }])), [
    /other and diversity-1 both cover the recommendations flow/,
  ]);
  t.end();
});

t.test('from the environment: inline or a file, not both', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'experiments-'));
  t.teardown(() => rm(dir, { recursive: true }));
  const file = path.join(dir, 'experiments.json');
  await writeFile(file, JSON.stringify([diversity]));
  t.equal(
    loadExperiments({ REC_SERVING_EXPERIMENTS: '', REC_SERVING_EXPERIMENTS_FILE: file })[0]?.name,
    'diversity-1',
  );
  t.equal(
    loadExperiments({
      REC_SERVING_EXPERIMENTS: JSON.stringify([diversity]),
      REC_SERVING_EXPERIMENTS_FILE: '',
    }).length,
    1,
  );
  t.same(loadExperiments({ REC_SERVING_EXPERIMENTS: '', REC_SERVING_EXPERIMENTS_FILE: '' }), []);
  t.throws(
    () => loadExperiments({ REC_SERVING_EXPERIMENTS: '[]', REC_SERVING_EXPERIMENTS_FILE: file }),
    /not both/,
  );
  t.throws(
    () =>
      loadExperiments({
        REC_SERVING_EXPERIMENTS: '',
        REC_SERVING_EXPERIMENTS_FILE: path.join(dir, 'missing.json'),
      }),
    /REC_SERVING_EXPERIMENTS_FILE .*missing\.json cannot be read/,
  );
  await writeFile(file, '[{"name": "x"}]');
  t.throws(
    () => loadExperiments({ REC_SERVING_EXPERIMENTS: '', REC_SERVING_EXPERIMENTS_FILE: file }),
    /REC_SERVING_EXPERIMENTS_FILE \(.*\)/,
  );
});
