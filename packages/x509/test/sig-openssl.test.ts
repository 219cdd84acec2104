/**
 * Signature interop with the openssl CLI: our signatures verify with `openssl dgst -verify` /
 * `openssl pkeyutl -verify`, and theirs verify with ours (and stop verifying when damaged). Also the
 * Wycheproof RSA PKCS#1 v1.5 signature-generation vectors and RSA-2048 timings.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type HashName,
  loadPrivateKey,
  type PrivateKey,
  parsePublicKey,
  pemBlocks,
  nobleSignatureProvider as provider,
  publicKeyFromPrivate,
  type SignatureAlgorithm,
  SSLError,
} from '../src/index.js';
import { hex, type OpensslDir, opensslDir, unhex } from './keys-openssl.js';

const randomBytes = (n: number): Uint8Array => crypto.getRandomValues(new Uint8Array(n));

let ossl: OpensslDir;
const keys = new Map<string, PrivateKey>();
const message = randomBytes(1000);

beforeAll(() => {
  ossl = opensslDir();
  const gen: Record<string, string[]> = {
    rsa: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
    p256: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
    p384: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'],
    p521: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-521'],
    ed25519: ['-algorithm', 'ED25519'],
  };
  for (const [name, args] of Object.entries(gen)) {
    ossl.run(['genpkey', ...args, '-out', `${name}.pem`]);
    ossl.run(['pkey', '-in', `${name}.pem`, '-pubout', '-out', `${name}.pub`]);
    keys.set(name, loadPrivateKey(ossl.readText(`${name}.pem`)));
  }
  ossl.write('msg', message);
});
afterAll(() => ossl?.cleanup());

/** openssl verification: true when it prints "Verified OK"/"Signature Verified Successfully". */
function opensslVerifies(args: string[]): boolean {
  try {
    ossl.run(args);
    return true;
  } catch {
    return false;
  }
}

interface Case {
  name: string;
  key: string;
  alg: SignatureAlgorithm;
  /** openssl options selecting the same algorithm (after -sign/-verify come the key and files). */
  dgst?: string[];
}
const pss = (hash: HashName, saltLength: number, mgfHash: HashName = hash): SignatureAlgorithm => ({
  kind: 'rsa-pss',
  hash,
  mgfHash,
  saltLength,
});
const CASES: Case[] = [
  ...(['sha1', 'sha224', 'sha256', 'sha384', 'sha512'] as const).map((h) => ({
    name: `RSA PKCS#1 v1.5 ${h}`,
    key: 'rsa',
    alg: { kind: 'rsa-pkcs1', hash: h } as const,
    dgst: [`-${h}`],
  })),
  {
    name: 'RSA-PSS sha256 salt 32',
    key: 'rsa',
    alg: pss('sha256', 32),
    dgst: ['-sha256', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:32'],
  },
  {
    name: 'RSA-PSS sha384 salt 48',
    key: 'rsa',
    alg: pss('sha384', 48),
    dgst: ['-sha384', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:48'],
  },
  {
    name: 'RSA-PSS sha512 salt 64',
    key: 'rsa',
    alg: pss('sha512', 64),
    dgst: ['-sha512', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:64'],
  },
  {
    name: 'RSA-PSS sha256 salt 0, MGF1-SHA1',
    key: 'rsa',
    alg: pss('sha256', 0, 'sha1'),
    dgst: ['-sha256', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:0', '-sigopt', 'rsa_mgf1_md:sha1'],
  },
  { name: 'ECDSA P-256 sha256', key: 'p256', alg: { kind: 'ecdsa', hash: 'sha256' }, dgst: ['-sha256'] },
  {
    name: 'ECDSA P-256 sha512 (digest longer than the order)',
    key: 'p256',
    alg: { kind: 'ecdsa', hash: 'sha512' },
    dgst: ['-sha512'],
  },
  { name: 'ECDSA P-256 sha1', key: 'p256', alg: { kind: 'ecdsa', hash: 'sha1' }, dgst: ['-sha1'] },
  { name: 'ECDSA P-384 sha384', key: 'p384', alg: { kind: 'ecdsa', hash: 'sha384' }, dgst: ['-sha384'] },
  { name: 'ECDSA P-521 sha512', key: 'p521', alg: { kind: 'ecdsa', hash: 'sha512' }, dgst: ['-sha512'] },
  {
    name: 'ECDSA P-521 sha256 (digest shorter than the order)',
    key: 'p521',
    alg: { kind: 'ecdsa', hash: 'sha256' },
    dgst: ['-sha256'],
  },
  { name: 'Ed25519', key: 'ed25519', alg: { kind: 'ed25519' } },
];

describe('signatures interoperate with openssl', () => {
  for (const c of CASES) {
    it(`${c.name}: ours verify with openssl`, () => {
      const key = keys.get(c.key)!;
      const sig = provider.sign(c.alg, key, message, randomBytes);
      ossl.write('ours.sig', sig);
      const args =
        c.dgst === undefined
          ? ['pkeyutl', '-verify', '-pubin', '-inkey', `${c.key}.pub`, '-rawin', '-in', 'msg', '-sigfile', 'ours.sig']
          : ['dgst', ...c.dgst, '-verify', `${c.key}.pub`, '-signature', 'ours.sig', 'msg'];
      expect(opensslVerifies(args)).toBe(true);
      expect(provider.verify(c.alg, publicKeyFromPrivate(key), message, sig)).toBe(true);
      // The oracle is not vacuous: a damaged signature fails there too.
      sig[sig.length >> 1] = (sig[sig.length >> 1] as number) ^ 1;
      ossl.write('ours.sig', sig);
      expect(opensslVerifies(args)).toBe(false);
    });
    it(`${c.name}: openssl's verify with ours`, () => {
      const args =
        c.dgst === undefined
          ? ['pkeyutl', '-sign', '-inkey', `${c.key}.pem`, '-rawin', '-in', 'msg', '-out', 'theirs.sig']
          : ['dgst', ...c.dgst, '-sign', `${c.key}.pem`, '-out', 'theirs.sig', 'msg'];
      ossl.run(args);
      const sig = ossl.read('theirs.sig');
      const pub = parsePublicKey(pemBlocks(ossl.readText(`${c.key}.pub`))[0]!.der);
      expect(provider.verify(c.alg, pub, message, sig)).toBe(true);
      const other = message.slice();
      other[0] = (other[0] as number) ^ 0x80;
      expect(provider.verify(c.alg, pub, other, sig)).toBe(false);
      const damaged = sig.slice();
      damaged[damaged.length - 1] = (damaged[damaged.length - 1] as number) ^ 0x40;
      expect(provider.verify(c.alg, pub, message, damaged)).toBe(false);
    });
  }

  it('Ed448 signatures from openssl verify (Ed448 is verify-only)', () => {
    ossl.run(['genpkey', '-algorithm', 'ED448', '-out', 'ed448.pem']);
    ossl.run(['pkey', '-in', 'ed448.pem', '-pubout', '-out', 'ed448.pub']);
    ossl.run(['pkeyutl', '-sign', '-inkey', 'ed448.pem', '-rawin', '-in', 'msg', '-out', 'ed448.sig']);
    const pub = parsePublicKey(pemBlocks(ossl.readText('ed448.pub'))[0]!.der);
    const sig = ossl.read('ed448.sig');
    expect(provider.verify({ kind: 'ed448' }, pub, message, sig)).toBe(true);
    sig[3] = (sig[3] as number) ^ 1;
    expect(provider.verify({ kind: 'ed448' }, pub, message, sig)).toBe(false);
    expect(() => provider.sign({ kind: 'ed448' }, keys.get('ed25519')!, message, randomBytes)).toThrow(/not supported/);
  });
});

describe('provider contract', () => {
  it('verify returns false (never throws) on mismatched keys, algorithms and junk signatures', () => {
    const rsa = publicKeyFromPrivate(keys.get('rsa')!);
    const ec = publicKeyFromPrivate(keys.get('p256')!);
    const ed = publicKeyFromPrivate(keys.get('ed25519')!);
    const algs: SignatureAlgorithm[] = [
      { kind: 'rsa-pkcs1', hash: 'sha256' },
      pss('sha256', 32),
      { kind: 'ecdsa', hash: 'sha256' },
      { kind: 'ed25519' },
      { kind: 'ed448' },
    ];
    const junk = [
      new Uint8Array(0),
      new Uint8Array(1),
      new Uint8Array(64),
      new Uint8Array(256).fill(0xff),
      Uint8Array.of(0x30, 0x80, 0, 0),
    ];
    for (const alg of algs) {
      for (const key of [rsa, ec, ed, { kind: 'unsupported', algorithm: '1.2.3' } as const]) {
        for (const sig of junk) expect(provider.verify(alg, key, message, sig)).toBe(false);
      }
    }
    // A valid ECDSA signature under the wrong algorithm kind, and a valid RSA one as PSS.
    const ecSig = provider.sign({ kind: 'ecdsa', hash: 'sha256' }, keys.get('p256')!, message, randomBytes);
    expect(provider.verify({ kind: 'ecdsa', hash: 'sha384' }, ec, message, ecSig)).toBe(false);
    const rsaSig = provider.sign({ kind: 'rsa-pkcs1', hash: 'sha256' }, keys.get('rsa')!, message, randomBytes);
    expect(provider.verify(pss('sha256', 32), rsa, message, rsaSig)).toBe(false);
    expect(provider.verify({ kind: 'rsa-pkcs1', hash: 'sha384' }, rsa, message, rsaSig)).toBe(false);
  });

  it('ECDSA: high-S signatures verify; BER/padded encodings do not', () => {
    const key = keys.get('p256')!;
    const pub = publicKeyFromPrivate(key);
    const sig = provider.sign({ kind: 'ecdsa', hash: 'sha256' }, key, message, randomBytes);
    // Decode r, s (both short-form lengths for P-256) and re-encode s as n − s.
    const rLen = sig[3]!;
    const r = sig.subarray(4, 4 + rLen);
    const s = BigInt(`0x${hex(sig.subarray(6 + rLen))}`);
    const n = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
    const highS = unhex((n - s).toString(16).padStart(64, '0'));
    const sBytes = (highS[0]! & 0x80) !== 0 ? Uint8Array.of(0, ...highS) : highS;
    const body = [0x02, r.length, ...r, 0x02, sBytes.length, ...sBytes];
    expect(
      provider.verify({ kind: 'ecdsa', hash: 'sha256' }, pub, message, Uint8Array.of(0x30, body.length, ...body)),
    ).toBe(true);
    // Long-form length where short form fits (BER), and a trailing byte.
    expect(
      provider.verify(
        { kind: 'ecdsa', hash: 'sha256' },
        pub,
        message,
        Uint8Array.of(0x30, 0x81, sig[1]!, ...sig.subarray(2)),
      ),
    ).toBe(false);
    expect(provider.verify({ kind: 'ecdsa', hash: 'sha256' }, pub, message, Uint8Array.of(...sig, 0))).toBe(false);
  });

  it('sign refuses a key of the wrong kind with an SSLError', () => {
    expect(() => provider.sign({ kind: 'ecdsa', hash: 'sha256' }, keys.get('rsa')!, message, randomBytes)).toThrow(
      SSLError,
    );
    expect(() =>
      provider.sign(
        { kind: 'rsa-pss', hash: 'sha256', mgfHash: 'sha256', saltLength: 32 },
        keys.get('p256')!,
        message,
        randomBytes,
      ),
    ).toThrow(SSLError);
    expect(() => provider.sign({ kind: 'ed25519' }, keys.get('p256')!, message, randomBytes)).toThrow(SSLError);
  });

  it('RSA signing checks its result: a corrupted CRT component is caught before release', () => {
    const key = keys.get('rsa')! as Extract<PrivateKey, { kind: 'rsa' }>;
    const faulty = { ...key, dp: key.dp + 2n };
    expect(() => provider.sign({ kind: 'rsa-pkcs1', hash: 'sha256' }, faulty, message, randomBytes)).toThrow(
      /consistency check/,
    );
  });

  it('RSA-2048 timings', () => {
    const key = keys.get('rsa')!;
    const pub = publicKeyFromPrivate(key);
    const alg: SignatureAlgorithm = { kind: 'rsa-pkcs1', hash: 'sha256' };
    const time = (runs: number, f: () => void): number => {
      f();
      const start = performance.now();
      for (let i = 0; i < runs; i++) f();
      return (performance.now() - start) / runs;
    };
    const sig = provider.sign(alg, key, message, randomBytes);
    const signMs = time(10, () => provider.sign(alg, key, message, randomBytes));
    const pssMs = time(10, () => provider.sign(pss('sha256', 32), key, message, randomBytes));
    const verifyMs = time(50, () => provider.verify(alg, pub, message, sig));
    console.log(
      `RSA-2048: PKCS#1 sign ${signMs.toFixed(2)} ms, PSS sign ${pssMs.toFixed(2)} ms, verify ${verifyMs.toFixed(3)} ms`,
    );
    expect(signMs).toBeLessThan(1000); // hang guard only
  });
});

const vectors = fileURLToPath(
  new URL('../../../../shared/vectors/wycheproof/rsa_pkcs1_2048_sig_gen_test.json', import.meta.url),
);
if (!existsSync(vectors)) console.log(`skipping Wycheproof RSA signature generation: ${vectors} is absent`);

describe.skipIf(!existsSync(vectors))('Wycheproof rsa_pkcs1_2048_sig_gen_test.json', () => {
  it('our PKCS#1 v1.5 signatures equal the expected ones, from both the PKCS #8 and the PKCS #1 PEM key', () => {
    const data = JSON.parse(readFileSync(vectors, 'utf8')) as {
      numberOfTests: number;
      testGroups: {
        sha: string;
        privateKeyPkcs8: string;
        privateKeyPem: string;
        tests: { tcId: number; msg: string; sig: string; result: string; flags: string[] }[];
      }[];
    };
    let count = 0;
    const byResult: Record<string, number> = {};
    for (const g of data.testGroups) {
      const hash = g.sha.replace('SHA-', 'sha') as HashName;
      const key = loadPrivateKey(unhex(g.privateKeyPkcs8));
      expect(loadPrivateKey(g.privateKeyPem)).toEqual(key);
      for (const t of g.tests) {
        // Signing is deterministic; "acceptable" (weak hash, small e) cases are signed as asked too.
        const sig = provider.sign({ kind: 'rsa-pkcs1', hash }, key, unhex(t.msg), randomBytes);
        expect(hex(sig), `tcId ${t.tcId}`).toBe(t.sig);
        byResult[t.result] = (byResult[t.result] ?? 0) + 1;
        count++;
      }
    }
    console.log(`rsa_pkcs1_2048_sig_gen_test.json: ${count} signatures equal (${JSON.stringify(byResult)})`);
    expect(count).toBe(data.numberOfTests);
  });
});
