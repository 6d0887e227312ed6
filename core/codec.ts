// The one msgpack configuration every part of the gateway uses: plain maps with SIMPLE keys, no extensions.

import { Packr } from 'msgpackr';

// useRecords false: clients in any language decode plain msgpack maps; no msgpackr-specific record extension.
const packr = new Packr({ useRecords: false, moreTypes: false, int64AsType: 'number' });

export function encode(value: unknown): Uint8Array {
  return packr.pack(value);
}

export function decode<T = unknown>(bytes: Uint8Array): T {
  return packr.unpack(bytes) as T;
}
