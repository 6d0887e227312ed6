// Where records come from instead of exchange workers (replay/serve.ts): the contract between the kernel and a source.

import type { RecordBatch } from '../boundary/batch.ts';
import type { Catalog } from './filter.ts';

/** what a source publishes into: batches as a worker's would reach the kernel, and the clients' backlog to wait on */
export interface RecordSink {
  publish(exchange: string, batch: RecordBatch): void;
  backlogBytes(): number;
  clients(): number;
  catalog: Catalog;
}

/** Started once the server listens, closed first. */
export interface RecordSource {
  start(sink: RecordSink): Promise<void>;
  close(): Promise<void>;
}
