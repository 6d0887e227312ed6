// Secret comparison that takes the same time whatever the inputs: SHA-256 both sides, then timingSafeEqual.

import { createHash, timingSafeEqual } from 'node:crypto';

export function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * True when `given` equals `expected`. Both are hashed first, so the comparison runs over two 32-byte digests: its
 * time does not depend on where they differ nor on their lengths, and unequal lengths never throw.
 */
export function constantTimeEqual(given: string, expected: string): boolean {
  return timingSafeEqual(sha256(given), sha256(expected));
}

/** Compares the SHA-256 digest of a presented secret against a stored one (both 32 bytes). */
export function digestsEqual(given: Buffer, stored: Buffer): boolean {
  return given.length === 32 && stored.length === 32 && timingSafeEqual(given, stored);
}
