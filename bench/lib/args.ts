// Command-line flags for the benchmarks: `--name value`, `--flag`, and comma lists; nothing else.

export class Args {
  private readonly map = new Map<string, string>();

  constructor(argv = process.argv.slice(2)) {
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]!;
      if (!a.startsWith('--')) throw new Error(`unexpected argument "${a}"`);
      const eq = a.indexOf('=');
      if (eq > 0) this.map.set(a.slice(2, eq), a.slice(eq + 1));
      else if (i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) this.map.set(a.slice(2), argv[++i]!);
      else this.map.set(a.slice(2), 'true');
    }
  }

  flag(name: string): boolean {
    const v = this.map.get(name);
    return v !== undefined && v !== 'false';
  }

  string(name: string, fallback: string): string {
    return this.map.get(name) ?? fallback;
  }

  number(name: string, fallback: number): number {
    const v = this.map.get(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new Error(`--${name}: expected a number, got "${v}"`);
    return n;
  }

  numbers(name: string, fallback: number[]): number[] {
    const v = this.map.get(name);
    if (v === undefined) return fallback;
    return v.split(',').map((s) => {
      const n = Number(s);
      if (!Number.isFinite(n)) throw new Error(`--${name}: expected numbers, got "${v}"`);
      return n;
    });
  }
}
