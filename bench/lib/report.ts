// Prints a benchmark's tables and writes them into its own section of BENCHMARKS.md (or the file given by --out).

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describeMachine } from './machine.ts';

export const BENCHMARKS_MD = fileURLToPath(new URL('../../BENCHMARKS.md', import.meta.url));

export interface Table {
  title: string;
  head: string[];
  rows: (string | number)[][];
  /** lines printed under the table */
  notes?: string[];
}

export function renderTable(t: Table): string {
  const lines = [`**${t.title}**`, '', `| ${t.head.join(' | ')} |`, `|${t.head.map(() => '---').join('|')}|`];
  for (const r of t.rows) lines.push(`| ${r.join(' | ')} |`);
  if (t.notes?.length) lines.push('', ...t.notes);
  return lines.join('\n');
}

/** The report of one benchmark run: a header with method and machine, then its tables. */
export function renderSection(name: string, method: string, tables: Table[]): string {
  return [`### ${name}`, '', `Run: ${describeMachine()}`, '', method, '', ...tables.map((t) => `${renderTable(t)}\n`)].join('\n');
}

/**
 * Replaces the text between `<!-- bench:<id> -->` and `<!-- /bench:<id> -->` in `file` (appending the markers when
 * absent), so each benchmark rewrites only its own results and the hand-written parts stay.
 */
export function writeSection(file: string, id: string, body: string): void {
  const open = `<!-- bench:${id} -->`;
  const close = `<!-- /bench:${id} -->`;
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const block = `${open}\n${body.trim()}\n${close}`;
  const a = text.indexOf(open);
  const b = text.indexOf(close);
  const next = a >= 0 && b > a ? text.slice(0, a) + block + text.slice(b + close.length) : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, next);
}

/** prints the section and writes it where `--out` says (default BENCHMARKS.md; `--out -` writes nothing) */
export function publish(id: string, section: string, out: string): void {
  console.log(`\n${section}`);
  if (out === '-') return;
  writeSection(out, id, section);
  console.log(`(written to ${out}, section bench:${id})`);
}
