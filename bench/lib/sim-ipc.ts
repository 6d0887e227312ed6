// A benchmark's simulators process talking to its parent: `ready` with what the parent needs, `{t:'stats'}` → the
// process's CPU since start (% of one core), `{t:'close'}` → the simulators closed and the process gone.

export function serveParent(sims: { close(): Promise<void> }, ready: Record<string, unknown>): void {
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  process.on('message', async (msg: { t: string }) => {
    if (msg.t === 'stats') {
      const cpu = process.cpuUsage(cpu0);
      // cpuMs: the total, so a parent can take the share over a window of its own
      process.send?.({ t: 'stats', cpuPct: ((cpu.user + cpu.system) / 1000 / (Date.now() - t0)) * 100, cpuMs: (cpu.user + cpu.system) / 1000 });
    } else if (msg.t === 'close') {
      await sims.close();
      process.exit(0);
    }
  });
  // the parent gone (a crashed benchmark): nobody will send close
  process.on('disconnect', () => void sims.close().then(() => process.exit(0)));
  process.send?.({ t: 'ready', ...ready });
}
