// A small import-graph walker for the layering test: every relative import (static, type-only, re-export, dynamic)
// of every .ts file in the repository, and the import cycles among them.

import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** folders never walked: dependencies, VCS data, build output */
const SKIP = new Set(['node_modules', '.git', 'dist', 'coverage']);

/** `from '...'` (import, import type, export ... from), side-effect `import '...'`, and `import('...')` */
const SPECIFIERS = [/\bfrom\s*['"]([^'"]+)['"]/g, /^\s*import\s*['"]([^'"]+)['"]/gm, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g];

export interface ImportEdge {
  /** repository-relative, forward slashes */
  from: string;
  to: string;
}

/** every .ts file under `root`, repository-relative with forward slashes */
export function tsFiles(root: string, dir = root): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...tsFiles(root, path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(relative(root, path).split(sep).join('/'));
  }
  return out.sort();
}

/** strips comments so a specifier quoted in a comment is not taken for an import */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

/** the relative imports of one file that resolve to a .ts file of the repository */
export function importsOf(root: string, file: string): string[] {
  const text = code(readFileSync(join(root, file), 'utf8'));
  const found = new Set<string>();
  for (const re of SPECIFIERS) {
    for (const m of text.matchAll(re)) {
      const spec = m[1]!;
      if (!spec.startsWith('.')) continue;
      const target = resolve(root, dirname(file), spec);
      if (!target.endsWith('.ts') || !existsSync(target)) continue;
      found.add(relative(root, target).split(sep).join('/'));
    }
  }
  return [...found].sort();
}

export function importGraph(root: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of tsFiles(root)) graph.set(file, importsOf(root, file));
  return graph;
}

/** the strongly connected components with more than one file, or a file importing itself (Tarjan) */
export function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
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
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}
