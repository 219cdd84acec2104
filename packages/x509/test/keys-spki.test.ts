import { p256, p384, p521 } from '@noble/curves/nist.js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { derBitString, derInteger, derNull, derOid, derSequence } from '../src/der.js';
import { encodeSpki, parsePublicKey, SSLError } from '../src/index.js';
import { decodeEcPoint } from '../src/keys/spki.js';
import { hex, type OpensslDir, opensslDir, unhex } from './keys-openssl.js';

let ossl: OpensslDir;
beforeAll(() => {
  ossl = opensslDir();
});
afterAll(() => ossl.cleanup());

function pubDer(keyFile: string, extra: string[] = []): Uint8Array {
  return new Uint8Array(ossl.run(['pkey', '-in', keyFile, '-pubout', '-outform', 'DER', ...extra]));
}

describe('parsePublicKey / encodeSpki against openssl-generated keys', () => {
  it('RSA: n, e and bit length match openssl, and re-encoding is byte-identical', () => {
    ossl.run(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1536', '-out', 'rsa.pem']);
    const der = pubDer('rsa.pem');
    const key = parsePublicKey(der);
    expect(key.kind).toBe('rsa');
    if (key.kind !== 'rsa') return;
    const text = ossl.run(['rsa', '-in', 'rsa.pem', '-noout', '-modulus']).toString();
    expect(key.n.toString(16).toUpperCase()).toBe(text.trim().replace('Modulus=', ''));
    expect(key.e).toBe(65537n);
    expect(key.bits).toBe(1536);
    expect(hex(encodeSpki(key))).toBe(hex(der));
  });

  it('RSASSA-PSS key: the RFC 4055 restriction is decoded and re-encoded identically', () => {
    ossl.run([
      'genpkey',
      '-algorithm',
      'RSA-PSS',
      '-pkeyopt',
      'rsa_keygen_bits:1024',
      '-pkeyopt',
      'rsa_pss_keygen_md:sha384',
      '-pkeyopt',
      'rsa_pss_keygen_mgf1_md:sha256',
      '-pkeyopt',
      'rsa_pss_keygen_saltlen:48',
      '-out',
      'pss.pem',
    ]);
    const der = pubDer('pss.pem');
    const key = parsePublicKey(der);
    expect(key).toMatchObject({
      kind: 'rsa-pss',
      bits: 1024,
      restriction: { kind: 'rsa-pss', hash: 'sha384', mgfHash: 'sha256', saltLength: 48 },
    });
    expect(hex(encodeSpki(key))).toBe(hex(der));
  });

  it('RSASSA-PSS key without parameters has no restriction', () => {
    ossl.run(['genpkey', '-algorithm', 'RSA-PSS', '-pkeyopt', 'rsa_keygen_bits:1024', '-out', 'pss0.pem']);
    const der = pubDer('pss0.pem');
    const key = parsePublicKey(der);
    expect(key).toMatchObject({ kind: 'rsa-pss', restriction: undefined });
    expect(hex(encodeSpki(key))).toBe(hex(der));
  });

  for (const [curve, name] of [
    ['P-256', 'prime256v1'],
    ['P-384', 'secp384r1'],
    ['P-521', 'secp521r1'],
  ] as const) {
    it(`EC ${curve}: uncompressed and compressed forms give the same point; explicit parameters are unsupported`, () => {
      ossl.run(['genpkey', '-algorithm', 'EC', '-pkeyopt', `ec_paramgen_curve:${name}`, '-out', `${name}.pem`]);
      const der = pubDer(`${name}.pem`);
      const key = parsePublicKey(der);
      expect(key.kind).toBe('ec');
      if (key.kind !== 'ec') return;
      expect(key.curve).toBe(curve);
      const text = ossl.run(['pkey', '-in', `${name}.pem`, '-pubout', '-text_pub', '-noout']).toString();
      const pubHex = (text.split('pub:')[1] ?? '').split('ASN1')[0]!.replace(/[\s:]/g, '');
      expect(hex(key.point)).toBe(pubHex);
      expect(hex(encodeSpki(key))).toBe(hex(der));
      const compressed = parsePublicKey(pubDer(`${name}.pem`, ['-ec_conv_form', 'compressed']));
      expect(compressed).toEqual(key);
      const explicit = parsePublicKey(pubDer(`${name}.pem`, ['-ec_param_enc', 'explicit']));
      expect(explicit.kind).toBe('unsupported');
    });
  }

  for (const alg of ['ED25519', 'ED448'] as const) {
    it(`${alg}: key bytes and re-encoding`, () => {
      ossl.run(['genpkey', '-algorithm', alg, '-out', `${alg}.pem`]);
      const der = pubDer(`${alg}.pem`);
      const key = parsePublicKey(der);
      expect(key.kind).toBe(alg.toLowerCase());
      expect(hex(encodeSpki(key))).toBe(hex(der));
    });
  }

  it('DSA and X25519 keys are reported as unsupported with their OID', () => {
    ossl.run(['genpkey', '-genparam', '-algorithm', 'DSA', '-pkeyopt', 'dsa_paramgen_bits:1024', '-out', 'dsap.pem']);
    ossl.run(['genpkey', '-paramfile', 'dsap.pem', '-out', 'dsa.pem']);
    expect(parsePublicKey(pubDer('dsa.pem'))).toEqual({ kind: 'unsupported', algorithm: '1.2.840.10040.4.1' });
    ossl.run(['genpkey', '-algorithm', 'X25519', '-out', 'x25519.pem']);
    expect(parsePublicKey(pubDer('x25519.pem'))).toEqual({ kind: 'unsupported', algorithm: '1.3.101.110' });
    expect(() => encodeSpki({ kind: 'unsupported', algorithm: '1.2.3' })).toThrow(SSLError);
  });

  it('accepts a parsed certificate spki object', () => {
    const der = unhex('302a300506032b65700321007d4d0e7f6153a69b6242b522abbee685fda4420f8834b108c3bdae369ef549fa');
    const key = parsePublicKey({
      algorithm: { oid: '1.3.101.112', parameters: undefined, der: unhex('300506032b6570') },
      publicKey: der.subarray(12),
    });
    expect(key).toEqual(parsePublicKey(der));
  });
});

describe('parsePublicKey rejects malformed keys with an SSLError', () => {
  const rsaAlg = derSequence(derOid('1.2.840.113549.1.1.1'), derNull());
  const rsaKey = (n: bigint, e: bigint): Uint8Array =>
    derSequence(rsaAlg, derBitString(derSequence(derInteger(n), derInteger(e))));
  const goodN = (1n << 1023n) + 12345n * 2n + 1n;
  const cases: [string, Uint8Array][] = [
    ['even modulus', rsaKey(goodN + 1n, 65537n)],
    ['negative modulus', rsaKey(-goodN, 65537n)],
    ['exponent 1', rsaKey(goodN, 1n)],
    ['even exponent', rsaKey(goodN, 65536n)],
    ['exponent of 65 bits with a 4096-bit modulus', rsaKey((1n << 4095n) + 1n, (1n << 64n) + 1n)],
    [
      'rsaEncryption with non-NULL parameters',
      derSequence(
        derSequence(derOid('1.2.840.113549.1.1.1'), derOid('1.2.3')),
        derBitString(derSequence(derInteger(goodN), derInteger(3n))),
      ),
    ],
    [
      'trailing data after the key',
      (() => {
        const k = rsaKey(goodN, 3n);
        const out = new Uint8Array(k.length + 1);
        out.set(k);
        return out;
      })(),
    ],
    [
      'EC point off the curve',
      derSequence(
        derSequence(derOid('1.2.840.10045.2.1'), derOid('1.2.840.10045.3.1.7')),
        derBitString(Uint8Array.from([4, ...new Uint8Array(63), 1])),
      ),
    ],
    [
      'EC point of the wrong length',
      derSequence(
        derSequence(derOid('1.2.840.10045.2.1'), derOid('1.2.840.10045.3.1.7')),
        derBitString(Uint8Array.from([4, 1, 2, 3])),
      ),
    ],
    [
      'EC hybrid point form',
      derSequence(
        derSequence(derOid('1.2.840.10045.2.1'), derOid('1.2.840.10045.3.1.7')),
        derBitString(Uint8Array.from([6, ...new Uint8Array(64)])),
      ),
    ],
    [
      'EC without parameters',
      derSequence(derSequence(derOid('1.2.840.10045.2.1')), derBitString(Uint8Array.from([4, ...new Uint8Array(64)]))),
    ],
    [
      'Ed25519 with parameters',
      derSequence(derSequence(derOid('1.3.101.112'), derNull()), derBitString(new Uint8Array(32))),
    ],
    ['Ed25519 key of 31 octets', derSequence(derSequence(derOid('1.3.101.112')), derBitString(new Uint8Array(31)))],
    [
      'BIT STRING with unused bits',
      derSequence(derSequence(derOid('1.3.101.112')), derBitString(Uint8Array.from([...new Uint8Array(31), 0x80]), 7)),
    ],
    [
      'PSS key with a trailerField of 2',
      derSequence(
        derSequence(derOid('1.2.840.113549.1.1.10'), unhex('3005a303020102')),
        derBitString(derSequence(derInteger(goodN), derInteger(3n))),
      ),
    ],
  ];
  for (const [name, der] of cases) {
    it(name, () => {
      expect(() => parsePublicKey(der)).toThrow(SSLError);
    });
  }
  it('a valid RSA key built the same way parses (the negative cases are not vacuous)', () => {
    expect(parsePublicKey(rsaKey(goodN, 65537n)).kind).toBe('rsa');
    expect(parsePublicKey(rsaKey((1n << 4095n) + 1n, (1n << 63n) + 1n)).kind).toBe('rsa');
    expect(parsePublicKey(rsaKey(goodN, (1n << 200n) + 1n)).kind).toBe('rsa');
  });
});

describe('parsePublicKey on damaged SPKI DER: only SSLError-family errors, quickly', () => {
  it('truncated and bit-flipped keys of every kind', () => {
    const names = ['rsa.pem', 'pss.pem', 'prime256v1.pem', 'secp521r1.pem', 'ED25519.pem', 'ED448.pem'];
    const ders = names.map((n) => pubDer(n));
    fc.assert(
      fc.property(
        fc.nat(ders.length - 1),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        fc.boolean(),
        (which, pos, xor, truncate) => {
          const der = ders[which]!;
          const i = pos % der.length;
          const damaged = truncate ? der.subarray(0, i) : der.slice();
          if (!truncate) damaged[i] = (damaged[i] as number) ^ xor;
          const start = performance.now();
          try {
            parsePublicKey(damaged);
          } catch (error) {
            if (!(error instanceof SSLError)) throw error;
          }
          expect(performance.now() - start).toBeLessThan(500);
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('decodeEcPoint (BigInt, no noble curve objects) agrees with noble Point.fromBytes', () => {
  const curves = [
    ['P-256', p256],
    ['P-384', p384],
    ['P-521', p521],
  ] as const;
  /** noble's answer: the uncompressed point, or null when it refuses the encoding. */
  const noble = (curve: (typeof curves)[number][1], bytes: Uint8Array): string | null => {
    try {
      return hex(curve.Point.fromBytes(bytes).toBytes(false));
    } catch {
      return null;
    }
  };
  const ours = (name: (typeof curves)[number][0], bytes: Uint8Array): string | null => {
    try {
      return hex(decodeEcPoint(name, bytes));
    } catch (e) {
      expect(e).toBeInstanceOf(SSLError);
      return null;
    }
  };

  for (const [name, curve] of curves) {
    it(`${name}: real keys (both forms), random x, coordinates at or above p, off-curve points`, () => {
      const { p } = curve.Point.CURVE();
      const size = curve.Point.Fp.BYTES;
      const toBytes = (v: bigint) => unhex(v.toString(16).padStart(2 * size, '0'));
      const cases: Uint8Array[] = [];
      for (let i = 0; i < 20; i++) {
        const secret = curve.utils.randomSecretKey();
        const full = curve.getPublicKey(secret, false);
        cases.push(full, curve.getPublicKey(secret, true));
        const x = full.subarray(1, 1 + size);
        const y = full.subarray(1 + size);
        const flipped = full.slice();
        flipped[full.length - 1]! ^= 1;
        cases.push(flipped);
        // The same x and y plus p: equal mod p, but not field elements (SEC 1 §3.2.2.1).
        const yPlusP = BigInt(`0x${hex(y)}`) + p;
        if (yPlusP < 1n << BigInt(8 * size)) cases.push(Uint8Array.of(4, ...x, ...toBytes(yPlusP)));
        const xPlusP = BigInt(`0x${hex(x)}`) + p;
        if (xPlusP < 1n << BigInt(8 * size)) cases.push(Uint8Array.of(2 | (y[size - 1]! & 1), ...toBytes(xPlusP)));
        const randomX = crypto.getRandomValues(new Uint8Array(size));
        cases.push(Uint8Array.of(2, ...randomX), Uint8Array.of(3, ...randomX));
      }
      cases.push(
        Uint8Array.of(2, ...toBytes(p)),
        Uint8Array.of(3, ...toBytes(p - 1n)),
        Uint8Array.of(4, ...toBytes(0n), ...toBytes(0n)),
      );
      let accepted = 0;
      for (const bytes of cases) {
        const expected = noble(curve, bytes);
        expect(ours(name, bytes), hex(bytes)).toBe(expected);
        if (expected !== null) accepted++;
      }
      // Both outcomes were exercised.
      expect(accepted).toBeGreaterThan(40);
      expect(accepted).toBeLessThan(cases.length);
    });
  }
});
