// `batch=true` (SPEC §4a): a send-turn's records as one JSON array (text) or one msgpack array (binary), built from
// the records' own encodings by concatenation, once per group and turn.

export function arrayPayload(payloads: readonly (string | Uint8Array)[]): string | Uint8Array {
  if (typeof payloads[0] === 'string') return `[${payloads.join(',')}]`;
  const n = payloads.length;
  let size = 0;
  for (const p of payloads) size += (p as Uint8Array).length;
  const head = n < 16 ? 1 : n < 0x10000 ? 3 : 5;
  const out = new Uint8Array(head + size);
  if (n < 16) out[0] = 0x90 | n;
  else if (n < 0x10000) {
    out[0] = 0xdc;
    out[1] = n >> 8;
    out[2] = n & 0xff;
  } else {
    out[0] = 0xdd;
    new DataView(out.buffer).setUint32(1, n);
  }
  let at = head;
  for (const p of payloads) {
    out.set(p as Uint8Array, at);
    at += (p as Uint8Array).length;
  }
  return out;
}
