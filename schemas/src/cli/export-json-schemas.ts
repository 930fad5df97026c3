/** Writes schemas/json/*.schema.json from the TypeBox contracts. Run after changing a contract. */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { JSON_SCHEMA_FILES, renderJsonSchema } from '../json-schemas.js';

const dir = fileURLToPath(new URL('../../json/', import.meta.url));
for (const [file, schema] of Object.entries(JSON_SCHEMA_FILES)) {
  await writeFile(`${dir}${file}`, renderJsonSchema(schema));
  console.log(`wrote schemas/json/${file}`);
}
