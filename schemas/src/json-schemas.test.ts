import { readFile } from 'node:fs/promises';
import t from 'tap';
import { JSON_SCHEMA_FILES, renderJsonSchema } from './json-schemas.js';

t.test('the published JSON Schema files match the TypeBox contracts', async (t) => {
  for (const [file, schema] of Object.entries(JSON_SCHEMA_FILES)) {
    const committed = await readFile(new URL(`../json/${file}`, import.meta.url), 'utf8');
    t.equal(
      committed,
      renderJsonSchema(schema),
      `${file} is up to date (pnpm --filter @recstream/schemas export-json)`,
    );
  }
});
