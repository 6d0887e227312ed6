// The plugin SDK: the one module an exchange plugin imports (plugins/README.md). Everything a plugin needs to turn
// an exchange's frames into records is exported from here; nothing else under kernel/, worker/ or boundary/ is API.
export * from './plugin.ts';
export * from './model.ts';
export * from './errors.ts';
export * from './book.ts';
export * from './decimal-sum.ts';
export * from './private.ts';
export { signJwt } from './jwt.ts';
export type { HmacAlg } from './jwt.ts';
export * from './aliases.ts';
export * from './book-pacer.ts';
export * from './book-sync.ts';
export * from './checksum.ts';
export * from './readers.ts';
export * from './symbols.ts';
