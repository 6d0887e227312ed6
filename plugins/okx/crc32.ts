// CRC-32 (IEEE 802.3, the zlib one) as a signed 32-bit integer, the form OKX sends its book `checksum` in.
// Kept here until the SDK's checksum helper (sdk/checksum.ts) is merged.

const TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** CRC-32 of the UTF-8 bytes of `text` (OKX's input is ASCII: digits, '.', '-', ':'), signed. */
export function crc32Signed(text: string): number {
  const bytes = new TextEncoder().encode(text);
  let c = -1;
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) | 0;
}
