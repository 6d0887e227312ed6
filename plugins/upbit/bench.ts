// Benchmark frames of the Upbit plugin (bench/lib/frames.ts finds this file): SIMPLE trade, ticker and orderbook,
// and orderbooks at several depths for the per-level cost.

import type { FrameSet } from '../../bench/lib/frame-set.ts';
import { upbitFormatSets } from '../_upbit-format/sim-bench.ts';

export default (n: number): FrameSet[] => upbitFormatSets('upbit', n);

export const depthSets = (n: number, depths: number[]): FrameSet[] => depths.map((d) => upbitFormatSets('upbit', n, d)[2]!);
