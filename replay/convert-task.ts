// The parallel converter's task (on the piscina pool, or in the calling thread, which takes tasks too): converts one
// chain and writes `<clock>\t<record JSON>` lines to a temporary file, which the main thread merges in time order
// with the other chains' (replay/convert-all.ts, replay/tsv-reader.ts).

import type { Chain } from '../sdk/fixture/read.ts';
import { convertChain } from './convert.ts';
import type { ChainStats, RangeOptions } from './convert.ts';
import { LineWriter } from './line-writer.ts';

export interface ConvertTask {
  chain: Chain;
  range: RangeOptions;
  tmpFile: string;
}

export default async function convertTask(task: ConvertTask): Promise<ChainStats> {
  const out = LineWriter.open(task.tmpFile);
  const stats = await convertChain(task.chain, task.range, (clock, json) => out.write(`${clock}\t${json}`));
  await out.end();
  return stats;
}
