/**
 * Generated keys are accepted by openssl (`openssl pkey -check`, `openssl rsa -check`), re-load through
 * loadPrivateKey, encode exactly as openssl re-encodes them, and sign verifiably. Also RSA keygen timing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  encodePrivateKeyPem,
  encodePrivateKeyPkcs8,
  generatePrivateKey,
  loadPrivateKey,
  nobleSignatureProvider,
  type PrivateKey,
  pemBlocks,
  publicKeyFromPrivate,
  type SignatureAlgorithm,
  SSLError,
} from '../src/index.js';
import { isProbablePrime } from '../src/keys/generate-key.js';
import { hex, type OpensslDir, opensslDir } from './keys-openssl.js';

const randomBytes = (n: number): Uint8Array => crypto.getRandomValues(new Uint8Array(n));
let ossl: OpensslDir;
beforeAll(() => {
  ossl = opensslDir();
});
afterAll(() => ossl?.cleanup());

function checkWithOpenssl(key: PrivateKey, name: string, sign: SignatureAlgorithm): void {
  const pem = encodePrivateKeyPem(key);
  ossl.write(`${name}.pem`, pem);
  // openssl's own consistency check of the key material.
  const check = ossl.run([key.kind === 'rsa' ? 'rsa' : 'pkey', '-in', `${name}.pem`, '-check', '-noout']).toString();
  expect(check).toMatch(/valid|ok/i);
  // openssl re-encodes our PKCS #8 byte for byte.
  const again = ossl.run(['pkcs8', '-topk8', '-nocrypt', '-in', `${name}.pem`, '-outform', 'DER']);
  expect(hex(new Uint8Array(again))).toBe(hex(encodePrivateKeyPkcs8(key)));
  expect(loadPrivateKey(pem)).toEqual(key);
  expect(pemBlocks(pem)[0]!.label).toBe('PRIVATE KEY');
  const message = randomBytes(64);
  const sig = nobleSignatureProvider.sign(sign, key, message, randomBytes);
  expect(nobleSignatureProvider.verify(sign, publicKeyFromPrivate(key), message, sig)).toBe(true);
}

describe('generatePrivateKey', () => {
  for (const curve of ['P-256', 'P-384', 'P-521'] as const) {
    it(`EC ${curve}`, () => {
      const key = generatePrivateKey({ kind: 'ec', curve }, randomBytes);
      checkWithOpenssl(key, curve, { kind: 'ecdsa', hash: 'sha256' });
    });
  }

  it('Ed25519', () => {
    checkWithOpenssl(generatePrivateKey({ kind: 'ed25519' }, randomBytes), 'ed25519', { kind: 'ed25519' });
  });

  it('RSA-2048: exact modulus length, openssl -check passes; keygen timing', () => {
    const times: number[] = [];
    let key: PrivateKey | undefined;
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      key = generatePrivateKey({ kind: 'rsa', bits: 2048 }, randomBytes);
      times.push(performance.now() - start);
      expect(key.kind === 'rsa' && key.n.toString(2).length).toBe(2048);
    }
    console.log(`RSA-2048 keygen: ${times.map((t) => t.toFixed(0)).join(', ')} ms`);
    checkWithOpenssl(key!, 'rsa2048', { kind: 'rsa-pss', hash: 'sha256', mgfHash: 'sha256', saltLength: 32 });
  });

  it('RSA-1024 with e = 3 and an odd size bound', () => {
    const key = generatePrivateKey({ kind: 'rsa', bits: 1024, e: 3n }, randomBytes);
    expect(key.kind === 'rsa' && [key.e, key.bits]).toEqual([3n, 1024]);
    checkWithOpenssl(key, 'rsa1024', { kind: 'rsa-pkcs1', hash: 'sha256' });
  });

  it('rejects bad parameters with an SSLError', () => {
    expect(() => generatePrivateKey({ kind: 'rsa', bits: 2047 }, randomBytes)).toThrow(SSLError);
    expect(() => generatePrivateKey({ kind: 'rsa', bits: 256 }, randomBytes)).toThrow(SSLError);
    expect(() => generatePrivateKey({ kind: 'rsa', bits: 1024, e: 4n }, randomBytes)).toThrow(SSLError);
    // A broken random source ends with an error, not a hang.
    expect(() => generatePrivateKey({ kind: 'rsa', bits: 512 }, (n) => new Uint8Array(n))).toThrow(SSLError);
  });
});

describe('Miller–Rabin', () => {
  it('agrees with openssl prime on primes, composites and Carmichael numbers', () => {
    const numbers = [
      2n,
      3n,
      4n,
      561n,
      1105n,
      41041n,
      825265n,
      7919n,
      1000003n,
      (1n << 127n) - 1n,
      (1n << 128n) + 1n,
      (1n << 521n) - 1n,
      (1n << 521n) + 1n,
      // Arnault's strong pseudoprime to many bases is composite; use a product of two primes instead.
      1000003n * 1000033n,
      0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
    ];
    const out = ossl
      .run(['prime', ...numbers.map(String)])
      .toString()
      .trim()
      .split('\n');
    numbers.forEach((n, i) => {
      expect(isProbablePrime(n, randomBytes), n.toString()).toBe(out[i]!.endsWith('is prime'));
    });
  });
});
