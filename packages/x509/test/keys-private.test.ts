/**
 * Private keys made by the openssl CLI in every format load, match their certificate, and fail clearly
 * with a wrong or missing password, a mismatched certificate, or damaged input.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DerReader, derInteger, derOctetString, derOid, derSequence, derTLV } from '../src/der.js';
import {
  assertPrivateKeyMatches,
  encodePrivateKeyPkcs8,
  generatePrivateKey,
  loadPkcs12,
  loadPrivateKey,
  nobleSignatureProvider,
  type PrivateKey,
  type PublicKey,
  parsePublicKey,
  pemBlocks,
  privateKeyMatchesPublicKey,
  publicKeyFromPrivate,
  SSLError,
} from '../src/index.js';
import { type OpensslDir, opensslDir } from './keys-openssl.js';

const KEYS = [
  { name: 'rsa', gen: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'], kind: 'rsa', tool: 'rsa' },
  { name: 'p256', gen: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'], kind: 'ec', tool: 'ec' },
  { name: 'p384', gen: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'], kind: 'ec', tool: 'ec' },
  { name: 'p521', gen: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-521'], kind: 'ec', tool: 'ec' },
  { name: 'ed25519', gen: ['-algorithm', 'ED25519'], kind: 'ed25519', tool: undefined },
] as const;

let ossl: OpensslDir;
const certKey = new Map<string, PublicKey>();

function pemDer(text: string, label: string): Uint8Array {
  const block = pemBlocks(text).find((b) => b.label === label);
  if (block === undefined) throw new Error(`no ${label}`);
  return block.der;
}

beforeAll(() => {
  ossl = opensslDir();
  for (const k of KEYS) {
    const key = `${k.name}.pem`;
    ossl.run(['genpkey', ...k.gen, '-out', key]);
    ossl.run(['req', '-x509', '-new', '-key', key, '-subj', `/CN=${k.name}`, '-days', '2', '-out', `${k.name}.crt`]);
    const pub = ossl.run(['x509', '-in', `${k.name}.crt`, '-pubkey', '-noout']).toString();
    certKey.set(k.name, parsePublicKey(pemDer(pub, 'PUBLIC KEY')));
    ossl.run(['pkcs8', '-topk8', '-nocrypt', '-in', key, '-outform', 'DER', '-out', `${k.name}.p8.der`]);
    ossl.run([
      'pkcs8',
      '-topk8',
      '-in',
      key,
      '-v2',
      'aes-256-cbc',
      '-passout',
      'pass:s3cret',
      '-out',
      `${k.name}.enc.pem`,
    ]);
    ossl.run([
      'pkcs8',
      '-topk8',
      '-in',
      key,
      '-v2',
      'aes-128-cbc',
      '-v2prf',
      'hmacWithSHA1',
      '-passout',
      'pass:s3cret',
      '-outform',
      'DER',
      '-out',
      `${k.name}.enc-sha1.der`,
    ]);
    ossl.run([
      'pkcs8',
      '-topk8',
      '-in',
      key,
      '-v2',
      'aes-192-cbc',
      '-v2prf',
      'hmacWithSHA512',
      '-passout',
      'pass:pässwörd',
      '-out',
      `${k.name}.enc-utf8.pem`,
    ]);
    ossl.run([
      'pkcs12',
      '-export',
      '-inkey',
      key,
      '-in',
      `${k.name}.crt`,
      '-passout',
      'pass:s3cret',
      '-out',
      `${k.name}.p12`,
    ]);
    if (k.tool !== undefined) {
      ossl.run([k.tool, '-in', key, ...(k.tool === 'rsa' ? ['-traditional'] : []), '-out', `${k.name}.trad.pem`]);
      ossl.run([
        k.tool,
        '-in',
        key,
        ...(k.tool === 'rsa' ? ['-traditional'] : []),
        '-outform',
        'DER',
        '-out',
        `${k.name}.trad.der`,
      ]);
      ossl.run([
        k.tool,
        '-in',
        key,
        ...(k.tool === 'rsa' ? ['-traditional'] : []),
        '-aes256',
        '-passout',
        'pass:s3cret',
        '-out',
        `${k.name}.legacy-enc.pem`,
      ]);
    }
    if (k.tool === 'ec') ossl.run(['ec', '-in', key, '-no_public', '-out', `${k.name}.nopub.pem`]);
  }
});
afterAll(() => ossl?.cleanup());

function expectMatches(name: string, key: PrivateKey, kind: string): void {
  expect(key.kind).toBe(kind);
  const pub = certKey.get(name)!;
  expect(privateKeyMatchesPublicKey(key, pub)).toBe(true);
  expect(publicKeyFromPrivate(key)).toEqual(pub.kind === 'rsa' ? { ...pub } : pub);
  expect(() => assertPrivateKeyMatches(key, pub)).not.toThrow();
}

describe('loadPrivateKey loads what openssl writes', () => {
  for (const k of KEYS) {
    describe(k.name, () => {
      it('PKCS #8 PEM and DER', () => {
        expectMatches(k.name, loadPrivateKey(ossl.readText(`${k.name}.pem`)), k.kind);
        expectMatches(k.name, loadPrivateKey(ossl.read(`${k.name}.p8.der`)), k.kind);
      });
      it('PKCS #8 PEM given as bytes, and after the certificate in one PEM file', () => {
        expectMatches(k.name, loadPrivateKey(ossl.read(`${k.name}.pem`)), k.kind);
        expectMatches(k.name, loadPrivateKey(ossl.readText(`${k.name}.crt`) + ossl.readText(`${k.name}.pem`)), k.kind);
      });
      it('encrypted PKCS #8 (PBES2 AES-256-CBC, PBKDF2-HMAC-SHA256) with a string, bytes or callback password', () => {
        const pem = ossl.readText(`${k.name}.enc.pem`);
        expectMatches(k.name, loadPrivateKey(pem, 's3cret'), k.kind);
        expectMatches(k.name, loadPrivateKey(pem, new TextEncoder().encode('s3cret')), k.kind);
        expectMatches(
          k.name,
          loadPrivateKey(pem, () => 's3cret'),
          k.kind,
        );
      });
      it('encrypted PKCS #8 DER (AES-128-CBC, PBKDF2-HMAC-SHA1) and a UTF-8 password (AES-192, HMAC-SHA512)', () => {
        expectMatches(k.name, loadPrivateKey(ossl.read(`${k.name}.enc-sha1.der`), 's3cret'), k.kind);
        expectMatches(k.name, loadPrivateKey(ossl.readText(`${k.name}.enc-utf8.pem`), 'pässwörd'), k.kind);
      });
      it('wrong password → [EVP: BAD_DECRYPT] bad decrypt; no password → BAD_PASSWORD_READ', () => {
        const pem = ossl.readText(`${k.name}.enc.pem`);
        for (const wrong of ['S3cret', '', 'a much longer wrong password']) {
          expect(() => loadPrivateKey(pem, wrong)).toThrow(
            expect.objectContaining({ library: 'EVP', reason: 'BAD_DECRYPT', strerror: 'bad decrypt' }),
          );
        }
        expect(() => loadPrivateKey(pem)).toThrow(
          expect.objectContaining({ library: 'PEM', reason: 'BAD_PASSWORD_READ' }),
        );
        expect(() => loadPrivateKey(pem, (() => 42) as unknown as () => string)).toThrow(SSLError);
      });
      it('PKCS #12 (OpenSSL 3 defaults: PBES2 AES-256-CBC, PBKDF2-SHA256, HMAC-SHA256 MAC)', () => {
        const p12 = loadPkcs12(ossl.read(`${k.name}.p12`), 's3cret');
        expectMatches(k.name, p12.key, k.kind);
        expect(p12.certificates).toHaveLength(1);
        expect(
          Buffer.from(p12.certificates[0]!).equals(Buffer.from(pemDer(ossl.readText(`${k.name}.crt`), 'CERTIFICATE'))),
        ).toBe(true);
        expect(() => loadPkcs12(ossl.read(`${k.name}.p12`), 'wrong')).toThrow(
          expect.objectContaining({ library: 'PKCS12', reason: 'MAC_VERIFY_FAILURE' }),
        );
      });
      if (k.tool !== undefined) {
        it(`traditional ${k.tool === 'rsa' ? 'PKCS #1' : 'SEC 1'} PEM and DER, and legacy encrypted PEM`, () => {
          expectMatches(k.name, loadPrivateKey(ossl.readText(`${k.name}.trad.pem`)), k.kind);
          expectMatches(k.name, loadPrivateKey(ossl.read(`${k.name}.trad.der`)), k.kind);
          const legacy = ossl.readText(`${k.name}.legacy-enc.pem`);
          expect(legacy).toContain('Proc-Type: 4,ENCRYPTED');
          expectMatches(k.name, loadPrivateKey(legacy, 's3cret'), k.kind);
          expect(() => loadPrivateKey(legacy, 'wrong')).toThrow(expect.objectContaining({ reason: 'BAD_DECRYPT' }));
          expect(() => loadPrivateKey(legacy)).toThrow(expect.objectContaining({ reason: 'BAD_PASSWORD_READ' }));
        });
      }
      if (k.tool === 'ec') {
        it('SEC 1 without the public key: the point is computed', () => {
          expectMatches(k.name, loadPrivateKey(ossl.readText(`${k.name}.nopub.pem`)), k.kind);
        });
      }
    });
  }

  it('a key does not match another key’s certificate', () => {
    const rsa = loadPrivateKey(ossl.readText('rsa.pem'));
    const p256 = loadPrivateKey(ossl.readText('p256.pem'));
    for (const [key, other] of [
      [rsa, 'p256'],
      [p256, 'p384'],
      [p256, 'rsa'],
      [loadPrivateKey(ossl.readText('ed25519.pem')), 'p256'],
    ] as const) {
      expect(privateKeyMatchesPublicKey(key, certKey.get(other)!)).toBe(false);
      expect(() => assertPrivateKeyMatches(key, certKey.get(other)!)).toThrow(
        expect.objectContaining({ library: 'X509', reason: 'KEY_VALUES_MISMATCH', strerror: 'key values mismatch' }),
      );
    }
    ossl.run(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'p256b.pem']);
    expect(privateKeyMatchesPublicKey(loadPrivateKey(ossl.readText('p256b.pem')), certKey.get('p256')!)).toBe(false);
  });

  it('PKCS #12 with a CA certificate: the certificate matching the key comes first', () => {
    ossl.run([
      'pkcs12',
      '-export',
      '-inkey',
      'p256.pem',
      '-in',
      'p256.crt',
      '-certfile',
      'rsa.crt',
      '-passout',
      'pass:x',
      '-out',
      'chain.p12',
    ]);
    const p12 = loadPkcs12(ossl.read('chain.p12'), 'x');
    expect(p12.certificates).toHaveLength(2);
    expect(
      Buffer.from(p12.certificates[0]!).equals(Buffer.from(pemDer(ossl.readText('p256.crt'), 'CERTIFICATE'))),
    ).toBe(true);
  });

  it('PKCS #12 with an empty password and with a SHA-512 MAC', () => {
    ossl.run([
      'pkcs12',
      '-export',
      '-inkey',
      'p384.pem',
      '-in',
      'p384.crt',
      '-passout',
      'pass:',
      '-macalg',
      'sha512',
      '-out',
      'empty.p12',
    ]);
    expectMatches('p384', loadPkcs12(ossl.read('empty.p12'), '').key, 'ec');
    expectMatches('p384', loadPkcs12(ossl.read('empty.p12')).key, 'ec');
  });

  it('PKCS #12 with a non-ASCII password (BMPString for the MAC, UTF-8 for PBES2)', () => {
    ossl.run([
      'pkcs12',
      '-export',
      '-inkey',
      'p521.pem',
      '-in',
      'p521.crt',
      '-passout',
      'pass:pässwörd€',
      '-out',
      'utf8.p12',
    ]);
    expectMatches('p521', loadPkcs12(ossl.read('utf8.p12'), 'pässwörd€').key, 'ec');
    expectMatches('p521', loadPkcs12(ossl.read('utf8.p12'), new TextEncoder().encode('pässwörd€')).key, 'ec');
    expect(() => loadPkcs12(ossl.read('utf8.p12'), 'passwörd€')).toThrow(
      expect.objectContaining({ reason: 'MAC_VERIFY_FAILURE' }),
    );
  });

  it('legacy PKCS #12 (3DES, SHA-1 MAC) → a clear "not supported" SSLError', () => {
    ossl.run([
      'pkcs12',
      '-export',
      '-inkey',
      'p256.pem',
      '-in',
      'p256.crt',
      '-keypbe',
      'PBE-SHA1-3DES',
      '-certpbe',
      'PBE-SHA1-3DES',
      '-macalg',
      'sha1',
      '-passout',
      'pass:x',
      '-out',
      'legacy.p12',
    ]);
    expect(() => loadPkcs12(ossl.read('legacy.p12'), 'x')).toThrow(
      expect.objectContaining({ reason: 'UNSUPPORTED_ALGORITHM' }),
    );
    expect(() => loadPkcs12(ossl.read('legacy.p12'), 'x')).toThrow(/not supported: legacy PKCS #12/);
  });

  it('legacy PEM encrypted with 3DES → "not supported"', () => {
    ossl.run(['ec', '-in', 'p256.pem', '-des3', '-passout', 'pass:x', '-out', 'des.pem']);
    expect(() => loadPrivateKey(ossl.readText('des.pem'), 'x')).toThrow(
      /not supported: legacy PEM encryption with DES-EDE3-CBC/,
    );
  });

  it('unsupported private key algorithms give a clear SSLError', () => {
    for (const alg of ['ED448', 'X25519']) {
      ossl.run(['genpkey', '-algorithm', alg, '-out', `${alg}.pem`]);
      expect(() => loadPrivateKey(ossl.readText(`${alg}.pem`))).toThrow(
        expect.objectContaining({ reason: 'UNSUPPORTED_ALGORITHM' }),
      );
    }
    ossl.run(['ec', '-in', 'p256.pem', '-param_enc', 'explicit', '-out', 'explicit.pem']);
    expect(() => loadPrivateKey(ossl.readText('explicit.pem'))).toThrow(
      expect.objectContaining({ reason: 'UNSUPPORTED_ALGORITHM' }),
    );
  });

  it('RSASSA-PSS keys (RFC 4055 §1.2), unrestricted and restricted, sign PSS that openssl verifies, and nothing else', () => {
    const message = new TextEncoder().encode('rsa-pss key');
    const randomBytes = (n: number) => new Uint8Array(n).fill(7);
    const pss = (hash: 'sha256' | 'sha384', saltLength: number) =>
      ({ kind: 'rsa-pss', hash, mgfHash: hash, saltLength }) as const;
    ossl.run(['genpkey', '-algorithm', 'RSA-PSS', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'pss.pem']);
    ossl.run([
      'genpkey',
      '-algorithm',
      'RSA-PSS',
      '-pkeyopt',
      'rsa_keygen_bits:2048',
      '-pkeyopt',
      'rsa_pss_keygen_md:sha256',
      '-pkeyopt',
      'rsa_pss_keygen_mgf1_md:sha256',
      '-pkeyopt',
      'rsa_pss_keygen_saltlen:32',
      '-out',
      'pss-sha256.pem',
    ]);
    for (const name of ['pss', 'pss-sha256']) {
      const key = loadPrivateKey(ossl.readText(`${name}.pem`));
      ossl.run(['pkey', '-in', `${name}.pem`, '-pubout', '-out', `${name}.pub`]);
      const spki = pemBlocks(ossl.readText(`${name}.pub`)).find((b) => b.label === 'PUBLIC KEY')!.der;
      const pub = parsePublicKey(spki);
      expect(pub.kind).toBe('rsa-pss');
      expect(privateKeyMatchesPublicKey(key, pub)).toBe(true);
      expect(publicKeyFromPrivate(key)).toEqual(pub);
      // Our PKCS #8 encoding keeps the id-RSASSA-PSS OID and restriction: openssl reads back the same key.
      ossl.write(`${name}.again.der`, encodePrivateKeyPkcs8(key));
      const again = ossl.run(['pkey', '-inform', 'DER', '-in', `${name}.again.der`, '-pubout']).toString();
      expect(again).toBe(ossl.readText(`${name}.pub`));

      const signature = nobleSignatureProvider.sign(pss('sha256', 32), key, message, randomBytes);
      ossl.write('msg.bin', message);
      ossl.write('sig.bin', signature);
      const verified = ossl.run([
        'pkeyutl',
        '-verify',
        '-pubin',
        '-inkey',
        `${name}.pub`,
        '-rawin',
        '-digest',
        'sha256',
        '-in',
        'msg.bin',
        '-sigfile',
        'sig.bin',
        '-pkeyopt',
        'rsa_padding_mode:pss',
        '-pkeyopt',
        'rsa_pss_saltlen:32',
      ]);
      expect(verified.toString()).toMatch(/Signature Verified Successfully/);
      expect(() =>
        nobleSignatureProvider.sign({ kind: 'rsa-pkcs1', hash: 'sha256' }, key, message, randomBytes),
      ).toThrow(expect.objectContaining({ message: expect.stringMatching(/RSASSA-PSS key cannot make RSA PKCS#1/) }));
    }
    // RFC 4055 §3.3: the restricted key refuses another hash and a shorter salt; the unrestricted one allows them.
    const restricted = loadPrivateKey(ossl.readText('pss-sha256.pem'));
    expect(() => nobleSignatureProvider.sign(pss('sha384', 48), restricted, message, randomBytes)).toThrow(SSLError);
    expect(() => nobleSignatureProvider.sign(pss('sha256', 20), restricted, message, randomBytes)).toThrow(SSLError);
    const unrestricted = loadPrivateKey(ossl.readText('pss.pem'));
    expect(nobleSignatureProvider.sign(pss('sha384', 48), unrestricted, message, randomBytes)).toHaveLength(256);
  });

  it('encrypted PKCS #8 with scrypt (RFC 7914 §7) as openssl -scrypt writes it', () => {
    ossl.run(['pkcs8', '-topk8', '-in', 'p256.pem', '-scrypt', '-passout', 'pass:s3cret', '-out', 'scrypt.pem']);
    expectMatches('p256', loadPrivateKey(ossl.readText('scrypt.pem'), 's3cret'), 'ec');
    expect(() => loadPrivateKey(ossl.readText('scrypt.pem'), 'nope')).toThrow(
      expect.objectContaining({ reason: 'BAD_DECRYPT' }),
    );
  });

  it('PKCS #8 encryption we do not implement (PBES1 3DES, PBES2 with 3DES) → "not supported"', () => {
    ossl.run(['pkcs8', '-topk8', '-in', 'p256.pem', '-v1', 'PBE-SHA1-3DES', '-passout', 'pass:x', '-out', 'v1.pem']);
    expect(() => loadPrivateKey(ossl.readText('v1.pem'), 'x')).toThrow(
      /not supported: key encryption algorithm 1\.2\.840\.113549\.1\.12\.1\.3/,
    );
    ossl.run(['pkcs8', '-topk8', '-in', 'p256.pem', '-v2', 'des3', '-passout', 'pass:x', '-out', 'des3.pem']);
    expect(() => loadPrivateKey(ossl.readText('des3.pem'), 'x')).toThrow(/not supported: PBES2 encryption scheme/);
  });

  it('SEC 1 key after an EC PARAMETERS block (openssl ecparam -genkey)', () => {
    const pem = ossl.run(['ecparam', '-genkey', '-name', 'secp384r1']).toString();
    expect(pem).toContain('BEGIN EC PARAMETERS');
    const key = loadPrivateKey(pem);
    expect(key.kind === 'ec' && key.curve).toBe('P-384');
  });

  it('PKCS #8 v2 (RFC 5958) with the public key: accepted when it matches, rejected when not', () => {
    const key = loadPrivateKey(ossl.readText('ed25519.pem'));
    if (key.kind !== 'ed25519') throw new Error('expected Ed25519');
    const v2 = (pub: Uint8Array): Uint8Array =>
      derSequence(
        derInteger(1),
        derSequence(derOid('1.3.101.112')),
        derOctetString(derOctetString(key.seed)),
        derTLV(0x81, Uint8Array.of(0), pub),
      );
    expect(loadPrivateKey(v2(key.key))).toEqual(key);
    const wrong = key.key.slice();
    wrong[0] = (wrong[0] as number) ^ 1;
    expect(() => loadPrivateKey(v2(wrong))).toThrow(SSLError);
    // version 1 (encoded 0) must not carry a public key
    const v1 = derSequence(
      derInteger(0),
      derSequence(derOid('1.3.101.112')),
      derOctetString(derOctetString(key.seed)),
      derTLV(0x81, Uint8Array.of(0), key.key),
    );
    expect(() => loadPrivateKey(v1)).toThrow(SSLError);
  });

  it('PKCS #8 v2 EC key: a public key that is not the private key’s is rejected', () => {
    const der = ossl.read('p256.p8.der');
    const key = loadPrivateKey(der);
    const other = generatePrivateKey({ kind: 'ec', curve: 'P-256' }, (n) => crypto.getRandomValues(new Uint8Array(n)));
    if (key.kind !== 'ec' || other.kind !== 'ec') throw new Error('expected EC');
    // Rebuild as version 2 with an appended [1] publicKey.
    const seq = new DerReader(der).sequence();
    seq.readAny();
    const rest = [seq.readAny().raw, seq.readAny().raw];
    const v2 = (point: Uint8Array): Uint8Array =>
      derSequence(derInteger(1), ...rest, derTLV(0x81, Uint8Array.of(0), point));
    expect(loadPrivateKey(v2(key.point))).toEqual(key);
    expect(() => loadPrivateKey(v2(other.point))).toThrow(/does not match/);
  });

  it('an RSA key with inconsistent CRT components is rejected', () => {
    const key = loadPrivateKey(ossl.readText('rsa.pem'));
    if (key.kind !== 'rsa') throw new Error('expected RSA');
    const bad = derSequence(
      ...[0n, key.n, key.e, key.d, key.p, key.q, key.dp + 2n, key.dq, key.qinv].map((v) => derInteger(v)),
    );
    expect(() => loadPrivateKey(bad)).toThrow(/inconsistent/);
  });

  it('PEM without a private key → [PEM: NO_START_LINE]', () => {
    expect(() => loadPrivateKey(ossl.readText('rsa.crt'))).toThrow(
      expect.objectContaining({ library: 'PEM', reason: 'NO_START_LINE' }),
    );
    expect(() => loadPrivateKey('')).toThrow(SSLError);
  });
});

describe('damaged key input fails with an SSLError, quickly', () => {
  const mutate = (name: string, password?: string) =>
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1 << 30 }),
        fc.integer({ min: 1, max: 255 }),
        fc.boolean(),
        (pos, xor, truncate) => {
          const der = ossl.read(name);
          const i = pos % der.length;
          const damaged = truncate ? der.subarray(0, i) : der.slice();
          if (!truncate) damaged[i] = (damaged[i] as number) ^ xor;
          const start = performance.now();
          try {
            loadPrivateKey(damaged, password);
          } catch (error) {
            if (!(error instanceof SSLError)) throw error;
          }
          expect(performance.now() - start).toBeLessThan(1000);
        },
      ),
      { numRuns: 150 },
    );
  it('PKCS #8 DER (RSA)', () => mutate('rsa.p8.der'));
  it('PKCS #1 DER', () => mutate('rsa.trad.der'));
  it('SEC 1 DER (P-521)', () => mutate('p521.trad.der'));
  it('PKCS #8 DER (Ed25519)', () => mutate('ed25519.p8.der'));
  it('encrypted PKCS #8 DER', () => mutate('p256.enc-sha1.der', 's3cret'));
  it('PKCS #12', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1 << 30 }),
        fc.integer({ min: 1, max: 255 }),
        fc.boolean(),
        (pos, xor, truncate) => {
          const der = ossl.read('p256.p12');
          const i = pos % der.length;
          const damaged = truncate ? der.subarray(0, i) : der.slice();
          if (!truncate) damaged[i] = (damaged[i] as number) ^ xor;
          try {
            loadPkcs12(damaged, 's3cret');
          } catch (error) {
            if (!(error instanceof SSLError)) throw error;
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
