/**
 * The README and docs/ are the product's front door: a relative link that leads nowhere (a moved
 * file, a renamed heading) sends a reader to a 404 exactly when they follow the docs. Every relative
 * link in README.md, docs/ and the services' and packages' READMEs must name a file that exists and,
 * when it has a #fragment, a heading of that file (GitHub's anchors).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Markdown files under `dir`, recursively. */
async function markdownUnder(dir: string): Promise<string[]> {
  const entries = await readdir(path.join(REPO_ROOT, dir), { withFileTypes: true });
  const nested = await Promise.all(
    entries.map(async (entry) => {
      const relative = path.join(dir, entry.name);
      if (entry.isDirectory()) return markdownUnder(relative);
      return entry.name.endsWith('.md') ? [relative] : [];
    }),
  );
  return nested.flat();
}

/** README.md files one level below `dir` (services/*, packages/*). */
async function readmesBelow(dir: string): Promise<string[]> {
  const entries = await readdir(path.join(REPO_ROOT, dir), { withFileTypes: true });
  const found: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const readme = path.join(dir, entry.name, 'README.md');
    if (await exists(readme)) found.push(readme);
  }
  return found;
}

async function exists(relative: string): Promise<boolean> {
  try {
    await stat(path.join(REPO_ROOT, relative));
    return true;
  } catch {
    return false;
  }
}

/** The text outside fenced code blocks, line by line (fenced lines become empty, so numbers hold). */
function proseLines(markdown: string): string[] {
  let fenced = false;
  return markdown.split('\n').map((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return '';
    }
    return fenced ? '' : line;
  });
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M} _-]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors a markdown file offers: one per heading, repeated ones numbered as GitHub does. */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const line of proseLines(markdown)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const base = slug(heading);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    result.add(count === 0 ? base : `${base}-${count}`);
  }
  return result;
}

/** Relative link targets of a markdown file with their line numbers (inline code left out). */
export function relativeLinks(markdown: string): { line: number; target: string }[] {
  const links: { line: number; target: string }[] = [];
  proseLines(markdown).forEach((text, index) => {
    const withoutCode = text.replace(/`[^`]*`/g, '');
    for (const match of withoutCode.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      const target = match[1] ?? '';
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
      links.push({ line: index + 1, target });
    }
  });
  return links;
}

const files = [
  'README.md',
  ...(await markdownUnder('docs')),
  ...(await readmesBelow('services')),
  ...(await readmesBelow('packages')),
];

t.test('the helpers read links and anchors as GitHub does', (t) => {
  t.equal(slug('Model (`src/models/`)'), 'model-srcmodels');
  t.equal(slug('K1 — one request stopped ingestion'), 'k1--one-request-stopped-ingestion');
  t.equal(slug("Serving's garbage collection"), 'servings-garbage-collection');
  t.same([...anchors('# A\n\n```\n# not a heading\n```\n## A\n')], ['a', 'a-1']);
  t.same(relativeLinks('see [x](a.md#b), `[y](no.md)`, [z](https://example.com) and [w](<c d.md>)'), [
    { line: 1, target: 'a.md#b' },
  ]);
  t.end();
});

t.test('every relative link in the docs resolves', async (t) => {
  t.ok(files.length > 10, `${files.length} markdown files checked`);
  let checked = 0;
  for (const file of files) {
    const markdown = await readFile(path.join(REPO_ROOT, file), 'utf8');
    for (const { line, target } of relativeLinks(markdown)) {
      checked += 1;
      const [filePart = '', fragment] = target.split('#', 2);
      const resolved = filePart === '' ? file : path.join(path.dirname(file), decodeURI(filePart));
      const where = `${file}:${line} → ${target}`;
      if (!(await exists(resolved))) {
        t.fail(`${where}: ${resolved} does not exist`);
        continue;
      }
      if (fragment === undefined || fragment === '') continue;
      if (!resolved.endsWith('.md')) {
        t.fail(`${where}: an anchor into a file that is not markdown`);
        continue;
      }
      const targetAnchors = anchors(await readFile(path.join(REPO_ROOT, resolved), 'utf8'));
      t.ok(targetAnchors.has(fragment), `${where}: heading #${fragment} exists`);
    }
  }
  t.ok(checked > 100, `${checked} links checked`);
});

t.test(
  "the README's lines outside code blocks fit in 120 columns (tables are not padded into walls)",
  async (t) => {
    const readme = await readFile(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const long = proseLines(readme)
      .map((line, index) => ({ line: index + 1, length: [...line].length }))
      .filter(({ length }) => length > 120);
    t.same(long, [], 'no line longer than 120 characters');
    t.ok(readme.split('\n').length <= 140, 'the README stays a page read in minutes');
  },
);
