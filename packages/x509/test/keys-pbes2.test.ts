/**
 * Wycheproof PBKDF2 and AES-CBC-PKCS5 vectors through the exact functions our PBES2 key decryption
 * uses (pbkdf2Derive, aesCbcDecrypt). (The PKCS #12 App. B KDF is checked through the MACs of
 * openssl-written files in keys-private.test.ts.)
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SSLError } from '../src/index.js';
import { aesCbcDecrypt, MAX_PBKDF2_ITERATIONS, pbkdf2Derive } from '../src/keys/pbes2.js';
import { hex, unhex } from './keys-openssl.js';

const dir = fileURLToPath(new URL('../../../../shared/vectors/wycheproof/', import.meta.url));
const haveVectors = existsSync(dir);
if (!haveVectors) console.log(`skipping Wycheproof PBKDF2/AES-CBC vectors: ${dir} is absent`);

interface PbkdfCase {
  tcId: number;
  password: string;
  salt: string;
  iterationCount: number;
  dkLen: number;
  dk: string;
  result: string;
}

describe.skipIf(!haveVectors)('Wycheproof PBKDF2 through pbkdf2Derive', () => {
  for (const [file, prf] of [
    ['pbkdf2_hmacsha1_test.json', 'sha1'],
    ['pbkdf2_hmacsha256_test.json', 'sha256'],
  ] as const) {
    it(file, () => {
      const data = JSON.parse(readFileSync(dir + file, 'utf8')) as {
        numberOfTests: number;
        testGroups: { tests: PbkdfCase[] }[];
      };
      let derived = 0;
      let overLimit = 0;
      for (const t of data.testGroups.flatMap((g) => g.tests)) {
        expect(t.result).toBe('valid');
        if (t.iterationCount > MAX_PBKDF2_ITERATIONS) {
          // Policy: counts above the limit are refused with a clear "not supported" error (no hang).
          expect(() => pbkdf2Derive(prf, unhex(t.password), unhex(t.salt), t.iterationCount, t.dkLen)).toThrow(
            /not supported: PBKDF2 iteration count/,
          );
          overLimit++;
          continue;
        }
        expect(
          hex(pbkdf2Derive(prf, unhex(t.password), unhex(t.salt), t.iterationCount, t.dkLen)),
          `tcId ${t.tcId}`,
        ).toBe(t.dk);
        derived++;
      }
      console.log(
        `${file}: ${derived} derived keys equal, ${overLimit} refused (iteration count above ${MAX_PBKDF2_ITERATIONS})`,
      );
      expect(derived + overLimit).toBe(data.numberOfTests);
    });
  }
});

describe.skipIf(!haveVectors)('Wycheproof aes_cbc_pkcs5_test.json through aesCbcDecrypt', () => {
  it('valid ciphertexts decrypt to the message; every invalid padding is rejected as bad decrypt', () => {
    const data = JSON.parse(readFileSync(`${dir}aes_cbc_pkcs5_test.json`, 'utf8')) as {
      numberOfTests: number;
      testGroups: { tests: { tcId: number; key: string; iv: string; msg: string; ct: string; result: string }[] }[];
    };
    const counts = { valid: 0, invalid: 0 };
    for (const t of data.testGroups.flatMap((g) => g.tests)) {
      if (t.result === 'valid') {
        expect(hex(aesCbcDecrypt(unhex(t.key), unhex(t.iv), unhex(t.ct))), `tcId ${t.tcId}`).toBe(t.msg);
        counts.valid++;
      } else {
        expect(() => aesCbcDecrypt(unhex(t.key), unhex(t.iv), unhex(t.ct)), `tcId ${t.tcId}`).toThrow(
          expect.objectContaining({ library: 'EVP', reason: 'BAD_DECRYPT' }),
        );
        counts.invalid++;
      }
    }
    console.log(`aes_cbc_pkcs5_test.json: ${counts.valid} valid decrypted, ${counts.invalid} invalid rejected`);
    expect(counts.valid + counts.invalid).toBe(data.numberOfTests);
  });

  it('a key or IV of the wrong size is an SSLError', () => {
    expect(() => aesCbcDecrypt(new Uint8Array(15), new Uint8Array(16), new Uint8Array(16))).toThrow(SSLError);
    expect(() => aesCbcDecrypt(new Uint8Array(16), new Uint8Array(8), new Uint8Array(16))).toThrow(SSLError);
  });
});
