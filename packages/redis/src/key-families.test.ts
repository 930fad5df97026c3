import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import {
  KEY_FAMILIES,
  keyBuilder,
  keyFamiliesPattern,
  keyFamilyStem,
  keyFamilySuffix,
  queueKeyPrefix,
  FEATURE_STORE_FAMILIES,
  type KeyFamilyName,
} from './key-families.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const names = Object.keys(KEY_FAMILIES) as KeyFamilyName[];

t.test('every family names its key from <prefix> on, once, and says what bounds it', (t) => {
  const patterns = new Set<string>();
  for (const name of names) {
    const family = KEY_FAMILIES[name];
    t.match(family.pattern, /^<prefix>:[a-z0-9]+:/, name);
    t.notOk(patterns.has(family.pattern), `${name}: a pattern of its own`);
    patterns.add(family.pattern);
    for (const text of [family.owner, family.content, family.grownBy, family.bound])
      t.ok(text.trim().length > 0, `${name}: owner, content, grown by and bound are said`);
  }
  t.end();
});

t.test('a builder fills the placeholders in order, as the pattern says', (t) => {
  t.equal(keyBuilder('feature.item-popularity', 'shop')(), 'shop:f1:item:pop');
  t.equal(keyBuilder('feature.item-windows', 'shop')('sku:1'), 'shop:f1:item:sku:1:win');
  t.equal(
    keyBuilder('write-key.client-bucket', 'p')('ab12', '2001:db8::/56'),
    'p:wk:v1:client:ab12:2001:db8::/56',
  );
  t.equal(keyBuilder('trainer.model-lock', 'p')('sasrec'), 'p:trainer:lock:sasrec');
  t.equal(keyBuilder('trainer.queue', 'p')('trainer', 'wait'), 'p:bull:trainer:wait');
  // Any family: the placeholders replaced by the parts gives the key.
  for (const name of names) {
    const pattern: string = KEY_FAMILIES[name].pattern;
    const placeholders = [...pattern.matchAll(/<([a-z0-9-]+)>/g)].slice(1);
    const parts = placeholders.map((_, i) => `v${i}:x`);
    let expected = pattern.replace('<prefix>', 'pre');
    for (const [i, placeholder] of placeholders.entries())
      expected = expected.replace(placeholder[0], parts[i] ?? '');
    const build = keyBuilder(name, 'pre') as (...parts: string[]) => string;
    t.equal(build(...parts), expected, name);
  }
  t.end();
});

t.test('stems, suffixes and patterns for scans and scripts', (t) => {
  t.equal(keyFamilyStem('feature.item-covisits', 'p'), 'p:f1:item:');
  t.equal(keyFamilySuffix('feature.item-covisits'), ':covis');
  t.equal(keyFamilySuffix('feature.item-popularity'), '');
  t.equal(keyFamiliesPattern(FEATURE_STORE_FAMILIES, 'p'), 'p:f1:*');
  t.ok(
    FEATURE_STORE_FAMILIES.every((name) => KEY_FAMILIES[name].redis === 'feature-store') &&
      FEATURE_STORE_FAMILIES.length === names.filter((n) => n.startsWith('feature.')).length,
  );
  t.equal(queueKeyPrefix('p'), 'p:bull', "BullMQ's prefix option");
  t.end();
});

t.test('every family is in the key table of docs/operations.md (durable) or docs/features.md', (t) => {
  const docs = {
    durable: readFileSync(join(root, 'docs/operations.md'), 'utf8'),
    'feature-store': readFileSync(join(root, 'docs/features.md'), 'utf8'),
  };
  for (const name of names) {
    const { pattern, redis } = KEY_FAMILIES[name];
    const cell = `\`${pattern.replace(/\|/g, '\\|')}\``;
    t.ok(docs[redis].includes(`| ${cell}`), `${name}: ${pattern} in the ${redis} table`);
  }
  t.end();
});

t.test('no runtime code builds a Redis key from the prefix by hand', (t) => {
  const handBuilt = /\$\{[^}]*prefix[^}]*\}:/i;
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (entry === 'node_modules') continue;
      if (statSync(path).isDirectory()) walk(path);
      else if (path.endsWith('.ts') && !path.endsWith('.test.ts') && !path.endsWith('key-families.ts')) {
        if (handBuilt.test(readFileSync(path, 'utf8'))) found.push(relative(root, path));
      }
    }
  };
  for (const top of ['packages', 'services'])
    for (const unit of readdirSync(join(root, top))) {
      // Test support builds SCAN patterns of a test's own namespace.
      if (top === 'packages' && unit === 'testing') continue;
      const src = join(root, top, unit, 'src');
      if (statSync(join(root, top, unit)).isDirectory() && readdirSync(join(root, top, unit)).includes('src'))
        walk(src);
    }
  t.same(found, [], 'keys are built by keyBuilder (@recstream/redis key-families.ts)');
  t.end();
});
