// What a benchmark ran on: cores, memory, CPU model, Node version and the date, for the report header.

import { availableParallelism, cpus, totalmem } from 'node:os';

export interface Machine {
  nproc: number;
  memGiB: number;
  cpu: string;
  node: string;
  date: string;
}

export function machine(): Machine {
  return {
    nproc: availableParallelism(),
    memGiB: Math.round(totalmem() / 2 ** 30),
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    node: process.version,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  };
}

export function describeMachine(m = machine()): string {
  return `${m.date} · nproc ${m.nproc} · ${m.memGiB} GiB · ${m.cpu} · Node ${m.node}`;
}
