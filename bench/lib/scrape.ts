// Reads a gateway's own Prometheus counters over HTTP (`/metrics`), for benchmarks that report what the gateway counted.

/** a counter's total over all its label sets */
export async function counterTotal(http: string, name: string): Promise<number> {
  const text = await (await fetch(`${http}/metrics`)).text();
  let n = 0;
  for (const m of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))) n += Number(m[1]);
  return n;
}
