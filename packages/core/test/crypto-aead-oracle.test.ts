import { createCipheriv } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { createAesGcmKey } from '../src/crypto/gcm.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function nodeSeal(key: Uint8Array, nonce: Uint8Array, pt: Uint8Array, aad: Uint8Array): Uint8Array {
  const c = createCipheriv(key.length === 16 ? 'aes-128-gcm' : 'aes-256-gcm', key, nonce);
  c.setAAD(aad);
  return Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]);
}

describe('AES-GCM with cached key schedule against node:crypto', () => {
  test('every length class, aligned and unaligned views, reused key', () => {
    for (const keyLength of [16, 32]) {
      const key = crypto.getRandomValues(new Uint8Array(keyLength));
      const sealer = createAesGcmKey(key);
      for (const len of [0, 1, 15, 16, 17, 100, 16384, 16385]) {
        for (const aadLength of [0, 5, 13, 16, 40]) {
          const nonce = crypto.getRandomValues(new Uint8Array(12));
          const pt = crypto.getRandomValues(new Uint8Array(len + 1)).subarray(1);
          const aad = crypto.getRandomValues(new Uint8Array(aadLength));
          const ct = sealer.seal(nonce, pt, aad);
          expect(hex(ct)).toBe(hex(nodeSeal(key, nonce, pt, aad)));
          expect(sealer.open(nonce, ct, aad)).toEqual(pt);
          const unalignedCt = new Uint8Array(ct.length + 3).subarray(3);
          unalignedCt.set(ct);
          expect(sealer.open(nonce, unalignedCt, aad)).toEqual(pt);
        }
      }
    }
  });
});
