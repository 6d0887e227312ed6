// JWT signing/verification (HS256, HS512) and the AES-256-GCM sealing of private batches for the cluster bus.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { peekJwt, signJwt, verifyJwt } from '../../sdk/jwt.ts';
import { open, parseSealKey, seal } from '../../kernel/private/seal.ts';

describe('JWT with HMAC', () => {
  it('signs the jwt.io HS256 example to the published token', () => {
    const token = signJwt({ sub: '1234567890', name: 'John Doe', iat: 1516239022 }, 'your-256-bit-secret', 'HS256');
    assert.equal(
      token,
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
    );
  });

  it('verifies its own HS512 token and refuses another secret, a changed payload and alg none', () => {
    const token = signJwt({ access_key: 'ak', nonce: 'n-1' }, 'secret-one', 'HS512');
    assert.deepEqual(peekJwt(token)?.alg, 'HS512');
    const ok = verifyJwt(token, 'secret-one');
    assert.ok(ok.ok && ok.payload.nonce === 'n-1' && ok.alg === 'HS512');
    assert.equal(verifyJwt(token, 'secret-two').ok, false);
    const [h, , s] = token.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ access_key: 'ak', nonce: 'n-2' })).toString('base64url')}.${s}`;
    assert.equal(verifyJwt(forged, 'secret-one').ok, false);
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${token.split('.')[1]}.`;
    assert.equal(verifyJwt(none, 'secret-one').ok, false);
    assert.equal(verifyJwt('not.a.token', 'secret-one').ok, false);
    assert.equal(verifyJwt('garbage', 'secret-one').ok, false);
  });
});

describe('sealing private batches', () => {
  const key = randomBytes(32);

  it('opens what it sealed, and the sealed bytes do not contain the plain text', () => {
    const plain = Buffer.from('{"ty":"myOrder","acct":"alice","uid":"order-42"}');
    const sealed = seal(key, plain, 'chan');
    assert.equal(Buffer.from(sealed).includes(Buffer.from('alice')), false);
    assert.equal(Buffer.from(sealed).includes(Buffer.from('order-42')), false);
    assert.deepEqual(Buffer.from(open(key, sealed, 'chan')!), plain);
    // a fresh IV each time: the same records never seal to the same bytes
    assert.notDeepEqual(Buffer.from(seal(key, plain, 'chan')), Buffer.from(sealed));
  });

  it('refuses another key, another channel, a flipped bit and a truncated frame', () => {
    const sealed = seal(key, Buffer.from('records'), 'chan');
    assert.equal(open(randomBytes(32), sealed, 'chan'), undefined);
    assert.equal(open(key, sealed, 'other-chan'), undefined);
    const flipped = Uint8Array.from(sealed);
    flipped[20] = flipped[20]! ^ 1;
    assert.equal(open(key, flipped, 'chan'), undefined);
    assert.equal(open(key, sealed.subarray(0, 10), 'chan'), undefined);
  });

  it('reads the key as 64 hex digits or base64, and names only the variable when it is wrong', () => {
    const hex = randomBytes(32).toString('hex');
    assert.equal(parseSealKey(hex, 'K').toString('hex'), hex);
    assert.equal(parseSealKey(Buffer.from(hex, 'hex').toString('base64'), 'K').toString('hex'), hex);
    assert.throws(() => parseSealKey(undefined, 'MY_KEY'), (e: Error & { code?: string }) => e.code === 'CONFIG_INVALID' && e.message.includes('MY_KEY'));
    assert.throws(() => parseSealKey('short-secret-value', 'MY_KEY'), (e: Error) => !e.message.includes('short-secret-value') && e.message.includes('MY_KEY'));
  });
});
