import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import t from 'tap';
import { luaScript } from './lua.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

t.test('a script is read once, then served from memory', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lua-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const url = pathToFileURL(join(dir, 'step.lua'));
  writeFileSync(url, "return redis.call('GET', KEYS[1])\n");
  t.equal(luaScript(url), "return redis.call('GET', KEYS[1])\n");
  rmSync(url);
  t.equal(luaScript(url), "return redis.call('GET', KEYS[1])\n", 'no second read');
  t.throws(() => luaScript(pathToFileURL(join(dir, 'missing.lua'))), /ENOENT/);
  t.end();
});

/** Every `.ts` source file (tests aside) under packages/*\/src and services/*\/src. */
function sources(): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else found.push(path);
    }
  };
  for (const top of ['packages', 'services'])
    for (const unit of readdirSync(join(root, top))) {
      const src = join(root, top, unit, 'src');
      if (existsSync(src)) walk(src);
    }
  return found;
}

t.test('every script a module names sits beside it, and every .lua file is named', (t) => {
  const files = sources();
  const named = new Set<string>();
  for (const path of files.filter((p) => p.endsWith('.ts') && !p.endsWith('.test.ts')))
    for (const [, name] of readFileSync(path, 'utf8').matchAll(
      // Code, not comments (lua.ts shows the form in its own).
      /^[^*/\n]*new URL\('(\.\/[^']+\.lua)', import\.meta\.url\)/gm,
    )) {
      const script = join(dirname(path), name ?? '');
      named.add(script);
      t.ok(existsSync(script), `${relative(root, path)} names ${name}`);
    }
  const scripts = files.filter((p) => p.endsWith('.lua'));
  t.ok(scripts.length >= 10, 'the scripts are found');
  for (const script of scripts) t.ok(named.has(script), `${relative(root, script)} is run by a module`);
  t.end();
});
