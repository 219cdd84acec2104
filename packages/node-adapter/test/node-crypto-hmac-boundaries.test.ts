// The node:crypto provider's HMAC (RFC 2104 §2, two one-shot crypto.hash calls over reused scratch buffers, with
// createHmac for keys over a block and messages over 1 KiB) and HKDF (RFC 5869 §2.2–2.3) against Node's own
// createHmac / hkdfSync at the lengths where that code changes path: key lengths around the block size (64 for
// SHA-256, 128 for SHA-384) and message lengths around SHA padding (55/56, 111/112), the block, and the 1 KiB
// scratch limit. Also: a repeated call gives the same MAC (the scratch is fully reset between uses) and an HMAC
// under another key in between does not disturb a keyed instance (when the provider offers hmacKeyed).
import { createHmac, hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../core/test/helpers/tls-pair.js';
import { defaultProvider, nodeCryptoProvider } from '../src/index.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const KEY_LENGTHS = [0, 1, 63, 64, 65, 127, 128, 129, 200];
const MESSAGE_LENGTHS = [0, 1, 55, 56, 63, 64, 65, 111, 112, 127, 128, 129, 1023, 1024, 1025, 5000];
const EXPAND_LENGTHS = [1, 31, 32, 33, 48, 64, 255];
const expected = (name: string, key: Uint8Array, data: Uint8Array): string =>
  createHmac(name, key).update(data).digest('hex');

// noble is included for its hmacKeyed (the node:crypto provider offers none today); it is cheap at these sizes.
for (const provider of [nodeCryptoProvider, defaultProvider]) {
  describe(`${provider.name}: HMAC and HKDF at block and scratch boundaries, against createHmac/hkdfSync`, () => {
    for (const name of ['sha256', 'sha384'] as const) {
      it(`${name}: hmac, hmacKeyed, hkdfExtract; repeated and interleaved calls`, () => {
        const hash = provider.hash(name);
        const random = seededRandom(name === 'sha256' ? 0x256 : 0x384);
        const messages = MESSAGE_LENGTHS.map((n) => random(n));
        for (const keyLength of KEY_LENGTHS) {
          const key = random(keyLength);
          const other = random(keyLength === 0 ? 1 : keyLength - 1); // shorter (or, for 0, longer): stale bytes show
          const keyed = hash.hmacKeyed?.(key);
          for (const data of messages) {
            const want = expected(name, key, data);
            const where = `key ${keyLength}, message ${data.length}`;
            expect(hex(hash.hmac(key, data)), where).toBe(want);
            expect(hex(hash.hmac(key, data)), `${where}, again`).toBe(want);
            expect(hex(hash.hkdfExtract(key, data)), `${where}, extract`).toBe(want);
            // An HMAC under another (longer or shorter) key leaves nothing behind in the shared scratch...
            expect(hex(hash.hmac(other, data)), `${where}, other key`).toBe(expected(name, other, data));
            expect(hex(hash.hmac(key, data)), `${where}, after another key`).toBe(want);
            if (keyed) {
              // ...nor disturbs a keyed instance used before and after it.
              expect(hex(keyed.mac(data)), `${where}, keyed`).toBe(want);
              expect(hex(hash.hmac(other, data)), `${where}, other key inside keyed use`).toBe(
                expected(name, other, data),
              );
              expect(hex(keyed.mac(data)), `${where}, keyed after another key`).toBe(want);
            }
          }
          // The inputs are the caller's: HMAC must not write to them (the scratch is a copy).
          const keyCopy = key.slice();
          const last = messages[messages.length - 1] as Uint8Array;
          const lastCopy = last.slice();
          hash.hmac(key, last);
          expect(hex(key)).toBe(hex(keyCopy));
          expect(hex(last)).toBe(hex(lastCopy));
          keyed?.destroy();
        }
      });

      it(`${name}: hkdfExpand for every output length boundary, PRK lengths and info lengths`, () => {
        const hash = provider.hash(name);
        const random = seededRandom(name === 'sha256' ? 0x5869 : 0x5870);
        // TLS's PRKs are HashLen (RFC 5869 §2.3 asks for at least that); the longer ones cross the one-shot
        // HMAC's key-block boundary (64 for SHA-256, 128 for SHA-384).
        for (const prkLength of [hash.outputLength, 64, 65, 127, 128, 129]) {
          const prk = random(prkLength);
          for (const infoLength of [0, 1, 62, 63, 64, 110, 111, 514, 1023, 1024, 2000]) {
            const info = random(infoLength);
            for (const length of EXPAND_LENGTHS) {
              // hkdfSync always extracts first, so Expand alone is checked against its definition,
              // T(1) ‖ T(2) ‖ … with T(i) = HMAC(PRK, T(i-1) ‖ info ‖ i) (RFC 5869 §2.3), through createHmac.
              const want: Buffer[] = [];
              let previous = Buffer.alloc(0);
              for (let i = 1; want.length * hash.outputLength < length; i++) {
                previous = createHmac(name, prk).update(previous).update(info).update(Uint8Array.of(i)).digest();
                want.push(previous);
              }
              const wantHex = Buffer.concat(want).subarray(0, length).toString('hex');
              const where = `prk ${prkLength}, info ${infoLength}, L ${length}`;
              expect(hex(hash.hkdfExpand(prk, info, length)), where).toBe(wantHex);
              expect(hex(hash.hkdfExpand(prk, info, length)), `${where}, again`).toBe(wantHex);
            }
          }
        }
        // Extract then Expand together equal hkdfSync (which does both).
        for (const saltLength of [0, 1, 64, 65, 129]) {
          const salt = random(saltLength);
          const ikm = random(saltLength + 17);
          const info = random(33);
          const prk = hash.hkdfExtract(salt, ikm);
          for (const length of EXPAND_LENGTHS) {
            const want = Buffer.from(hkdfSync(name, ikm, salt, info, length)).toString('hex');
            expect(hex(hash.hkdfExpand(prk, info, length)), `salt ${saltLength}, L ${length}`).toBe(want);
          }
        }
      });
    }
  });
}
