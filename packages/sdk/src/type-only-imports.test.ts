/**
 * The SDK ships to browsers: from the contract package it may take types only (its runtime pulls
 * Ajv), and nothing else outside itself. A value import would slip into every shop's bundle.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';

const SRC = import.meta.dirname;

async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => join(e.parentPath, e.name))
    .filter((path) => !path.includes(`${SRC}/testing/`));
}

t.test('outside imports are type-only', async (t) => {
  const files = await sources(SRC);
  t.ok(files.length > 5);
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    for (const match of text.matchAll(/^(import|export)\s+(type\s+)?[^;]*?from\s+'([^']+)'/gms)) {
      const [statement, , typeOnly, specifier] = match;
      if (specifier?.startsWith('./') === true || specifier?.startsWith('../') === true) continue;
      t.ok(typeOnly !== undefined, `${file.slice(SRC.length + 1)}: ${statement?.replace(/\s+/g, ' ')}`);
    }
  }
});
