// Child processes started and owned by PID: they die with the test process where Linux allows, and are stopped by
// their own PID only (never by name), SIGTERM first and SIGKILL after a deadline.

import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { InfraError } from './errors.ts';
import { holdPid, killTree, releasePid, signal } from './exit-guard.ts';
import { makeTempDir, removeDir } from './temp-dir.ts';

/** How much output is kept for error messages and readiness patterns. */
const TAIL_CHARS = 64 * 1024;
/** util-linux `setpriv --pdeathsig` makes the kernel SIGKILL the child when its parent dies, even by SIGKILL. */
const SETPRIV = '/usr/bin/setpriv';
const DEFAULT_GRACE_MS = 10_000;

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface OwnedProcess {
  readonly name: string;
  readonly pid: number;
  readonly running: boolean;
  readonly exited: Promise<ExitInfo>;
  /** The last 64 KB of stdout and stderr together, for error messages. */
  output(): string;
  /** Resolves when the output matches; rejects with INFRA_EXITED if the process ends first, INFRA_START_TIMEOUT after timeoutMs. */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<void>;
  /** SIGTERM, then SIGKILL (with its children) after graceMs; resolves once it has exited. Idempotent. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL to the process and its children; resolves once it has exited. */
  kill9(): Promise<void>;
}

export interface SpawnOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export function spawnOwned(name: string, command: string, args: string[], opts: SpawnOptions = {}): OwnedProcess {
  const withDeathSignal = process.platform === 'linux' && existsSync(SETPRIV);
  const child = withDeathSignal
    ? spawn(SETPRIV, ['--pdeathsig', 'KILL', '--', command, ...args], { ...opts, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(command, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) {
    child.on('error', () => {});
    throw new InfraError('INFRA_NOT_INSTALLED', `${name}: cannot run ${command}; run scripts/install-deps.sh`);
  }
  const pid = child.pid;
  holdPid(pid);

  let tail = '';
  let running = true;
  const events = new EventEmitter();
  const onChunk = (chunk: string): void => {
    // Patterns are tested against the new text plus a little of the old, in case a line arrived in two chunks.
    const scan = tail.slice(-1024) + chunk;
    tail = (tail + chunk).slice(-TAIL_CHARS);
    events.emit('output', scan);
  };
  child.stdout!.setEncoding('utf8').on('data', onChunk);
  child.stderr!.setEncoding('utf8').on('data', onChunk);

  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, sig) => {
      running = false;
      releasePid(pid);
      events.emit('exit');
      resolve({ code, signal: sig });
    });
  });
  child.on('error', (err) => onChunk(`\n[spawn error] ${err.message}\n`));

  let stopping: Promise<void> | undefined;
  const proc: OwnedProcess = {
    name,
    pid,
    get running() {
      return running;
    },
    exited,
    output: () => tail,
    waitForOutput(pattern, timeoutMs) {
      if (pattern.test(tail)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const finish = (err?: Error): void => {
          clearTimeout(timer);
          events.off('output', onOutput);
          events.off('exit', onExit);
          err ? reject(err) : resolve();
        };
        const onOutput = (scan: string): void => {
          if (pattern.test(scan)) finish();
        };
        const onExit = (): void => finish(exitedError(proc, `before printing ${pattern}`));
        const late = (): InfraError =>
          new InfraError('INFRA_START_TIMEOUT', `${name} did not print ${pattern} in ${timeoutMs} ms\n${tail.slice(-4000)}`);
        const timer = setTimeout(() => finish(late()), timeoutMs);
        events.on('output', onOutput);
        events.on('exit', onExit);
        if (!running) onExit();
      });
    },
    stop(graceMs = DEFAULT_GRACE_MS) {
      stopping ??= (async () => {
        if (!running) return;
        signal(pid, 'SIGTERM');
        let timer: ReturnType<typeof setTimeout> | undefined;
        const deadline = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs)));
        if ((await Promise.race([exited, deadline])) === 'late') killTree(pid);
        clearTimeout(timer);
        await exited;
      })();
      return stopping;
    },
    async kill9() {
      if (running) killTree(pid);
      await exited;
    },
  };
  return proc;
}

/** The error for a process that ended while we waited for it, carrying the end of its output. */
export function exitedError(proc: OwnedProcess, when: string): InfraError {
  return new InfraError('INFRA_EXITED', `${proc.name} (pid ${proc.pid}) exited ${when}\n${proc.output().slice(-4000)}`);
}

/** What every single-process service's handle has. */
export interface OwnedService {
  pid: number;
  /** SIGTERM, SIGKILL after a deadline, waits for the exit, removes the temp dir. Idempotent. */
  close(): Promise<void>;
}

/**
 * One service process in a private temp dir: `start(dir, own)` spawns the process, hands it to `own`, and waits
 * until it is ready. If anything fails, the process is stopped and the dir removed before the error is thrown;
 * otherwise the handle's close() does the same, once.
 */
export async function startInTempDir<H extends object>(
  service: string,
  start: (dir: string, own: (proc: OwnedProcess) => OwnedProcess) => Promise<H>,
): Promise<H & OwnedService> {
  const dir = await makeTempDir(service);
  let proc: OwnedProcess | undefined;
  const release = async (): Promise<void> => {
    await proc?.stop();
    await removeDir(dir);
  };
  try {
    const handle = await start(dir, (p) => (proc = p));
    if (!proc) throw new InfraError('INFRA_EXITED', `${service}: no process was started`);
    let closing: Promise<void> | undefined;
    return { ...handle, pid: proc.pid, close: () => (closing ??= release()) };
  } catch (err) {
    await release();
    throw err;
  }
}
