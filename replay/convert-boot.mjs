// Piscina worker bootstrap for Node: registers tsx's TypeScript loader in this thread, then runs the task.
import { register } from 'tsx/esm/api';

register();
const { default: convertTask } = await import('./convert-task.ts');

export default convertTask;
