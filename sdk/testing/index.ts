// The plugin testing helpers in one module: the contract suite and the fixture replay harness.

export { HOSTILE_FRAMES, runPluginContract } from './contract.ts';
export type { ContractOptions } from './contract.ts';
export { checkPluginImports } from './imports.ts';
export { checkRecordShape } from './record-shape.ts';
export * from './replay.ts';
