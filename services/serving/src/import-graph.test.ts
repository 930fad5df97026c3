/**
 * The import graph of the service's folders has no cycle: `models/` implements what `pipeline/`
 * declares (rankers, candidate sources) and the pipeline never reaches back into a model; the flows
 * build plans that the pipeline runs, and the pipeline's core never imports a flow. Checked at two
 * levels: every folder (pipeline/flows, pipeline/candidates, …) and the top-level folders. The
 * files at the top of src (index, compose, app, config) wire the folders together: they may import
 * any folder, and their own imports are not edges of the graph.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const SRC = dirname(fileURLToPath(import.meta.url));
const IMPORT = /^\s*(?:import|export)\s[^'"]*?from\s+'(\.{1,2}\/[^']+)'/gm;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Folder → folders it imports from (relative imports only; packages are layered by lint). */
function folderGraph(level: (folder: string) => string): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sourceFiles(SRC)) {
    if (dirname(file) === SRC) continue;
    const from = level(relative(SRC, dirname(file)) || '.');
    const edges = graph.get(from) ?? new Set<string>();
    graph.set(from, edges);
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const target = resolve(dirname(file), match[1] as string);
      const to = level(relative(SRC, dirname(target)) || '.');
      if (to !== from) edges.add(to);
    }
  }
  return graph;
}

/** Every cycle's folders, as `a → b → a`, found by depth-first search. */
function cycles(graph: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const found = new Set<string>();
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') found.add([...path.slice(path.indexOf(next)), next].join(' → '));
      else if (state.get(next) === undefined) visit(next);
    }
    path.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (state.get(node) === undefined) visit(node);
  return [...found];
}

t.test('no import cycle between folders', (t) => {
  const graph = folderGraph((folder) => folder);
  t.ok(graph.has('pipeline') && graph.has('models') && graph.has('pipeline/flows'), 'the graph covers src');
  t.same(cycles(graph), [], 'every folder');
  t.same(cycles(folderGraph((folder) => folder.split('/')[0] ?? folder)), [], 'top-level folders');
  t.end();
});

t.test('models implement what the pipeline declares, never the reverse', (t) => {
  const graph = folderGraph((folder) => folder.split('/')[0] ?? folder);
  t.ok(graph.get('models')?.has('pipeline'), 'models import the pipeline’s interfaces');
  t.notOk(graph.get('pipeline')?.has('models'), 'the pipeline imports nothing from models');
  t.end();
});

t.test('the cycle finder finds a cycle', (t) => {
  const graph = new Map([
    ['a', new Set(['b'])],
    ['b', new Set(['c'])],
    ['c', new Set(['a'])],
  ]);
  t.same(cycles(graph), ['a → b → c → a']);
  t.same(cycles(new Map([['a', new Set(['b'])]])), []);
  t.end();
});
