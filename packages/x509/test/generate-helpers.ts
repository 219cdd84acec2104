/**
 * Test helpers for the generation tests: OpenSSL CLI oracles on temporary files, and keys plus a
 * signature provider on node:crypto (an implementation independent of the noble one under test).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as nodeCrypto from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PrivateKey, SignatureAlgorithm, SignatureProvider } from '@sanstls/x509';

const b64u = (s: string | undefined): Uint8Array => Uint8Array.from(Buffer.from(s ?? '', 'base64url'));
const big = (s: string | undefined): bigint => BigInt(`0x${Buffer.from(s ?? '', 'base64url').toString('hex') || '0'}`);
const toB64u = (b: Uint8Array): string => Buffer.from(b).toString('base64url');
const bigToB64u = (v: bigint): string => {
  let hex = v.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  return Buffer.from(hex, 'hex').toString('base64url');
};

/** A private key made by node:crypto, in the x509 model. */
export function nodeKey(type: 'P-256' | 'P-384' | 'P-521' | 'ed25519' | 'rsa-2048'): PrivateKey {
  if (type === 'ed25519') {
    const jwk = nodeCrypto.generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
    return { kind: 'ed25519', seed: b64u(jwk.d), key: b64u(jwk.x) };
  }
  if (type === 'rsa-2048') {
    const jwk = nodeCrypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
    return {
      kind: 'rsa',
      n: big(jwk.n),
      e: big(jwk.e),
      d: big(jwk.d),
      p: big(jwk.p),
      q: big(jwk.q),
      dp: big(jwk.dp),
      dq: big(jwk.dq),
      qinv: big(jwk.qi),
      bits: 2048,
    };
  }
  const jwk = nodeCrypto.generateKeyPairSync('ec', { namedCurve: type }).privateKey.export({ format: 'jwk' });
  const point = Uint8Array.from([4, ...b64u(jwk.x), ...b64u(jwk.y)]);
  return { kind: 'ec', curve: type, d: b64u(jwk.d), point };
}

function nodeKeyObject(key: PrivateKey): nodeCrypto.KeyObject {
  switch (key.kind) {
    case 'ed25519':
      return nodeCrypto.createPrivateKey({
        format: 'jwk',
        key: { kty: 'OKP', crv: 'Ed25519', d: toB64u(key.seed), x: toB64u(key.key) },
      });
    case 'ec': {
      const size = (key.point.length - 1) / 2;
      return nodeCrypto.createPrivateKey({
        format: 'jwk',
        key: {
          kty: 'EC',
          crv: key.curve,
          d: toB64u(key.d),
          x: toB64u(key.point.subarray(1, 1 + size)),
          y: toB64u(key.point.subarray(1 + size)),
        },
      });
    }
    case 'rsa':
      return nodeCrypto.createPrivateKey({
        format: 'jwk',
        key: {
          kty: 'RSA',
          n: bigToB64u(key.n),
          e: bigToB64u(key.e),
          d: bigToB64u(key.d),
          p: bigToB64u(key.p),
          q: bigToB64u(key.q),
          dp: bigToB64u(key.dp),
          dq: bigToB64u(key.dq),
          qi: bigToB64u(key.qinv),
        },
      });
  }
}

/** Signing on node:crypto (verification is not needed by the generation tests). */
export const nodeSignatureProvider: SignatureProvider = {
  verify: () => {
    throw new Error('not used');
  },
  sign(alg: SignatureAlgorithm, key: PrivateKey, message: Uint8Array): Uint8Array {
    const k = nodeKeyObject(key);
    switch (alg.kind) {
      case 'ed25519':
        return nodeCrypto.sign(null, message, k);
      case 'ecdsa':
        return nodeCrypto.sign(alg.hash, message, { key: k, dsaEncoding: 'der' });
      case 'rsa-pkcs1':
        return nodeCrypto.sign(alg.hash, message, k);
      case 'rsa-pss':
        return nodeCrypto.sign(alg.hash, message, {
          key: k,
          padding: nodeCrypto.constants.RSA_PKCS1_PSS_PADDING,
          saltLength: alg.saltLength,
        });
      default:
        throw new Error(`node provider: ${alg.kind} not supported`);
    }
  },
};

/** A temporary directory holding named files, removed by `cleanup`. */
export function tempFiles(files: Record<string, string | Uint8Array>): {
  path: (name: string) => string;
  cleanup: () => void;
} {
  const dir = mkdtempSync(join(tmpdir(), 'sanstls-gen-'));
  for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), data);
  return { path: (name) => join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `openssl x509 -noout -text` of a PEM certificate. */
export function opensslText(pem: string): string {
  return execFileSync('openssl', ['x509', '-noout', '-text', '-nameopt', 'RFC2253'], { input: pem, encoding: 'utf8' });
}

/** `openssl asn1parse` of DER bytes (strict structural check by OpenSSL's own decoder). */
export function opensslAsn1parse(der: Uint8Array): string {
  return execFileSync('openssl', ['asn1parse', '-inform', 'DER', '-i'], { input: der, encoding: 'utf8' });
}

/** Runs `openssl verify`; returns its exit status and combined output. */
export function opensslVerify(
  root: string,
  leaf: string,
  intermediates: string[] = [],
  extra: string[] = [],
): { status: number; output: string } {
  const files: Record<string, string> = { 'root.pem': root, 'leaf.pem': leaf };
  if (intermediates.length > 0) files['untrusted.pem'] = intermediates.join('');
  const t = tempFiles(files);
  try {
    const args = ['verify', '-CAfile', t.path('root.pem'), ...extra];
    if (intermediates.length > 0) args.push('-untrusted', t.path('untrusted.pem'));
    args.push(t.path('leaf.pem'));
    const r = spawnSync('openssl', args, { encoding: 'utf8' });
    return { status: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
  } finally {
    t.cleanup();
  }
}

/** Python's `ssl._ssl._test_decode_cert` of each PEM certificate, in one python3 process (tuples become arrays). */
export function pythonDecodeAll(pems: readonly string[]): unknown[] {
  const files = Object.fromEntries(pems.map((pem, i) => [`c${i}.pem`, pem]));
  const t = tempFiles(files);
  try {
    const out = execFileSync(
      'python3',
      [
        '-c',
        'import ssl,json,sys; print(json.dumps([ssl._ssl._test_decode_cert(f) for f in sys.argv[1:]]))',
        ...pems.map((_, i) => t.path(`c${i}.pem`)),
      ],
      { encoding: 'utf8' },
    );
    return JSON.parse(out) as unknown[];
  } finally {
    t.cleanup();
  }
}

/** A deterministic byte source (xorshift), for reproducibility tests. */
export function seededRandom(seed: number): (n: number) => Uint8Array {
  let s = seed >>> 0 || 1;
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      s ^= s << 13;
      s >>>= 0;
      s ^= s >>> 17;
      s ^= s << 5;
      s >>>= 0;
      out[i] = s & 0xff;
    }
    return out;
  };
}
