// AES-256-GCM sealing of private record batches for the cluster bus: only nodes holding the key can read them, and
// a changed byte is detected. Frame: 1 version byte, 12-byte random IV, ciphertext, 16-byte tag.

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { GatewayError } from '../../sdk/errors.ts';

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * The 32-byte key from an environment value: 64 hex digits or base64 of 32 bytes. The message names the variable,
 * never the value.
 */
export function parseSealKey(value: string | undefined, variable: string): Buffer {
  if (!value) throw new GatewayError('CONFIG_INVALID', `environment variable ${variable} is not set (a 32-byte key, 64 hex digits or base64)`);
  const v = value.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(v) ? Buffer.from(v, 'hex') : Buffer.from(v, 'base64');
  if (key.length !== 32) throw new GatewayError('CONFIG_INVALID', `environment variable ${variable} must hold a 32-byte key (64 hex digits or base64)`);
  return key;
}

/** `aad` binds the frame to its channel, so a sealed frame replayed on another channel does not open */
export function seal(key: Buffer, plain: Uint8Array, aad: string): Uint8Array {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), iv, body, cipher.getAuthTag()]);
}

/** the plain bytes, or undefined for a frame that is not ours, was altered, or was sealed under another key */
export function open(key: Buffer, sealed: Uint8Array, aad: string): Uint8Array | undefined {
  if (sealed.length < 1 + IV_BYTES + TAG_BYTES || sealed[0] !== VERSION) return undefined;
  const buf = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.length);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, buf.subarray(1, 1 + IV_BYTES));
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(buf.subarray(buf.length - TAG_BYTES));
    return Buffer.concat([decipher.update(buf.subarray(1 + IV_BYTES, buf.length - TAG_BYTES)), decipher.final()]);
  } catch {
    return undefined;
  }
}
