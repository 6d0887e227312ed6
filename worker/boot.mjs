// Worker bootstrap for Node: registers tsx's TypeScript loader in this thread, then runs the TypeScript worker.
// (Node 20 does not carry `--import tsx` loader hooks into worker threads; Deno runs exchange.ts directly.)
import { register } from 'tsx/esm/api';

register();
await import('./exchange.ts');
