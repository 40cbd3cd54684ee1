/**
 * The import graph of src/: files import no cycle, and folders import only the layers
 * below them (STYLE.md): lib <- workspace <- actions <- quirks <- kernel/mail <- series
 * <- lore/upstream <- dkms <- build/vm <- cli. Folders on one line do not import each
 * other; what two of them share moves lower. src/*.ts (errors.ts) counts as lib.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../../src');

/** Lowest first. dkms sits below build and vm: both package or prove what it generates. */
export const LAYERS: string[][] = [['lib'], ['workspace'], ['actions'], ['quirks'], ['kernel', 'mail'], ['series'], ['lore', 'upstream'], ['dkms'], ['build', 'vm'], ['cli']];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

/** Every file of src/ that `file` imports, statically, dynamically or for types only. */
export function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles
    .map((f) => f.fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts')));
}

const folderOf = (file: string) => {
  const rel = path.relative(SRC, file).split(path.sep);
  // src/errors.ts is as low as lib.
  return rel.length > 1 ? (rel[0] as string) : 'lib';
};
const rank = (folder: string) => LAYERS.findIndex((l) => l.includes(folder));

/** The cycles of the graph, each as a list of files (Tarjan's strongly connected components). */
export function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(scc);
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('the dependency graph of src/', () => {
  const graph = new Map(sources(SRC).map((f) => [f, importsOf(f)]));
  const rel = (f: string) => path.relative(SRC, f);

  it('every folder of src/ has a place in the layers', () => {
    const folders = [...new Set([...graph.keys()].map(folderOf))];
    expect(folders.filter((f) => rank(f) < 0)).toEqual([]);
  });

  it('has no cycle between files', () => {
    expect(cycles(graph).map((c) => c.map(rel).sort().join(' -> '))).toEqual([]);
  });

  it('has folders import only the layers below them', () => {
    const wrong = [...graph].flatMap(([file, deps]) =>
      deps.filter((d) => folderOf(d) !== folderOf(file) && rank(folderOf(d)) >= rank(folderOf(file))).map((d) => `${rel(file)} -> ${rel(d)}`),
    );
    expect(wrong).toEqual([]);
  });

  it('finds a cycle and an upward import when there is one (the check itself)', () => {
    const g = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['d']],
      ['e', ['a']],
    ]);
    expect(cycles(g).map((c) => c.sort().join(','))).toEqual(['a,b,c', 'd']);
  });
});
