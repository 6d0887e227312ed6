// The import rule of a plugin folder: a plugin imports only the SDK's one module (sdk/index.ts), its own files and
// shared format folders (plugins/_<name>/). Its tests, simulator and benchmark frames (`*.test.ts`, `sim*.ts`,
// `bench.ts`) are not plugin code.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SPECIFIERS = [/\bfrom\s*['"]([^'"]+)['"]/g, /^\s*import\s*['"]([^'"]+)['"]/gm, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g];

/** a file of the plugin itself, not of its tests or simulator */
export const isPluginCode = (name: string): boolean =>
  name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts') && !/^sim(-.*)?\.ts$/.test(name) && name !== 'bench.ts';

const repoPath = (abs: string): string => relative(ROOT, abs).split(sep).join('/');

function specifiers(file: string): string[] {
  // comments out, so a specifier quoted in a comment is not taken for an import
  const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
  return SPECIFIERS.flatMap((re) => [...text.matchAll(re)].map((m) => m[1]!));
}

/**
 * Every import of plugin `id` that breaks the rule, as "<file> imports <what>"; none = the plugin keeps it. Files of
 * shared format folders the plugin reaches are held to the same rule.
 */
export function checkPluginImports(id: string, root = ROOT): string[] {
  const own = `plugins/${id}/`;
  const folder = join(root, own);
  const queue = readdirSync(folder).filter(isPluginCode).map((n) => join(folder, n));
  const seen = new Set(queue);
  const broken: string[] = [];
  while (queue.length) {
    const file = queue.shift()!;
    for (const spec of specifiers(file)) {
      if (!spec.startsWith('.')) {
        broken.push(`${repoPath(file)} imports ${spec}`);
        continue;
      }
      const abs = resolve(dirname(file), spec);
      const target = repoPath(abs);
      const shared = /^plugins\/_[^/]+\//.test(target);
      if (target === 'sdk/index.ts' || target.startsWith(own) || shared) {
        if (shared && existsSync(abs) && !seen.has(abs)) {
          seen.add(abs);
          queue.push(abs);
        }
        continue;
      }
      broken.push(`${repoPath(file)} imports ${target}`);
    }
  }
  return broken;
}
