/**
 * docs/operations.md names variables and ports for the people who deploy the product: they must be
 * the ones the code reads, or the page misleads exactly when it is needed.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { FeatureConfigSchema } from '@recstream/feature/config';
import { IngestConfigSchema } from '@recstream/ingest/config';
import { ServingConfigSchema } from '@recstream/serving/config';
import { TrainerConfigSchema } from '@recstream/trainer/config';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Each service's variables and their defaults. */
const defaults: Record<string, Record<string, unknown>> = Object.fromEntries(
  Object.entries({
    ingest: IngestConfigSchema,
    feature: FeatureConfigSchema,
    serving: ServingConfigSchema,
    trainer: TrainerConfigSchema,
  }).map(([service, schema]) => [
    service,
    Object.fromEntries(
      Object.entries(schema.properties).map(([name, property]) => [
        name,
        (property as { default?: unknown }).default,
      ]),
    ),
  ]),
);

const page = await readFile(path.join(REPO_ROOT, 'docs/operations.md'), 'utf8');

t.test('every variable the page names is one a service or infra.sh reads', async (t) => {
  const infraScript = await readFile(path.join(REPO_ROOT, 'infra/infra.sh'), 'utf8');
  const known = new Set([
    ...Object.values(defaults).flatMap((variables) => Object.keys(variables)),
    ...[...infraScript.matchAll(/^(REC_[A-Z_]+)=/gm)].map((match) => match[1] ?? ''),
  ]);
  const named = new Set([...page.matchAll(/\bREC_[A-Z_]+\b/g)].map((match) => match[0]));
  t.ok(named.size > 10, 'the page names variables');
  for (const name of named) t.ok(known.has(name), `${name} is read somewhere`);
});

t.test("the process table's ports are the services' defaults", (t) => {
  const rows = [
    ...page.matchAll(/^\| (ingest collector|ingest sink|feature|serving|trainer) +\| [^|]+\| (\d+) /gm),
  ];
  t.equal(rows.length, 5, 'a row per process');
  for (const [, process = '', port = ''] of rows) {
    const service = process.startsWith('ingest') ? 'ingest' : process;
    t.equal(defaults[service]?.['REC_HTTP_PORT'], Number(port), `${process} listens on ${port}`);
  }
  t.end();
});
