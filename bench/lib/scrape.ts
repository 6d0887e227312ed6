// Reads a gateway's own Prometheus counters over HTTP (`/metrics`), for benchmarks that report what the gateway counted.

/** a counter's total over all its label sets */
export async function counterTotal(http: string, name: string): Promise<number> {
  const text = await (await fetch(`${http}/metrics`)).text();
  let n = 0;
  for (const m of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))) n += Number(m[1]);
  return n;
}

/** gateway_records_total per exchange */
export async function recordsTotal(http: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${http}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^gateway_records_total\{exchange="([^"]+)"\} (\d+(?:\.\d+)?(?:e\+\d+)?)$/gm)) out[m[1]!] = Number(m[2]);
  return out;
}
