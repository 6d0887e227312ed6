// The shape of benchmark frames and the helpers a plugin folder's bench.ts builds them with: seeded simulator
// markets stepped on a fixed clock, so the frames are byte for byte what the simulators send.

import { Market } from '../../sim/market.ts';
import type { VenueRules } from '../../sim/venue-rules.ts';

/** One kind of frame, replayed through every path that can read it. */
export interface FrameSet {
  /** e.g. `binance trade`; the first word is the group `npm run bench:pipeline -- --group <g>` selects */
  kind: string;
  /** plugin id and plugin options of the gateway's mapper for these frames */
  plugin: string;
  options: Record<string, unknown>;
  symbols: string[];
  frames: string[];
  /** REST answers the mapper asks for (book snapshots), by request URL suffix → body */
  responses?: Map<string, string>;
  /** the record type these frames produce */
  ty: 'trade' | 'ticker' | 'orderbook';
  /** average price levels per frame (order books) */
  levels?: number;
  /** the same messages in Upbit's DEFAULT format, for mappers that read only that (tardis-dev) */
  defaultFrames?: string[];
}

/**
 * What `plugins/<id>/bench.ts` exports: `default` builds `n` frames of each kind the plugin reads; `depthSets`
 * (optional) builds order books at several depths, to separate the per-frame from the per-level cost.
 */
export interface BenchModule {
  default: (n: number) => FrameSet[];
  depthSets?: (n: number, depths: number[]) => FrameSet[];
}

/** the market step of the benchmark clock */
export const STEP_MS = 100;
/** the benchmark clock's start */
export const T0 = Date.UTC(2025, 0, 15, 3, 0, 0);
/** the coins every plugin's frames cover */
export const BASES = ['BTC', 'ETH', 'XRP', 'SOL'];

/** one seeded simulator market per base, quoted in `quote` */
export function benchMarkets(rules: VenueRules, quote: string, bases: string[], tradesPerStep: number): Market[] {
  return bases.map((base) => new Market({ base, quote, seed: 11, rules, tradesPerStep }, T0));
}
