// Recorder thread bootstrap for Node: registers tsx's TypeScript loader in this thread, then runs the recorder.
import { register } from 'tsx/esm/api';

register();
await import('./thread.ts');
