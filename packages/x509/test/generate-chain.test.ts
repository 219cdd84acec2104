import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { verifyChain } from '@sanstls/x509';
import {
  createCertificate,
  createChain,
  type GeneratedChain,
  generateKey,
  KEY_TYPES,
  type KeyType,
} from '@sanstls/x509/generate';
import { beforeAll, describe, expect, it } from 'vitest';
import { nodeKey, opensslVerify, seededRandom, tempFiles } from './generate-helpers.js';
import { verifyCodeOf } from './verify-pki.js';

const now = new Date('2026-06-01T12:00:00Z');
const at = String(now.getTime() / 1000);

/** openssl verify of a whole generated chain, as a TLS server certificate for `host`. */
function opensslVerifyChain(
  chain: GeneratedChain,
  host: string,
  extra: string[] = [],
): { status: number; output: string } {
  return opensslVerify(chain.root.pem, chain.leaf.pem, chain.intermediate ? [chain.intermediate.pem] : [], [
    '-attime',
    at,
    '-purpose',
    'sslserver',
    '-verify_hostname',
    host,
    ...extra,
  ]);
}

function ourVerify(
  chain: GeneratedChain,
  opts: { hostname?: string; at?: Date; purpose?: 'serverAuth' | 'clientAuth' } = {},
) {
  return verifyChain({
    leaf: chain.leaf.der,
    intermediates: chain.intermediate ? [chain.intermediate.der] : [],
    trustAnchors: [chain.root.der],
    at: opts.at ?? now,
    ...(opts.hostname !== undefined ? { hostname: opts.hostname } : {}),
    ...(opts.purpose !== undefined ? { purpose: opts.purpose } : {}),
  });
}

/** The public key of a PEM private key and of a PEM certificate, per OpenSSL. */
function opensslPublicKeys(keyPem: string, certPem: string): [string, string] {
  const t = tempFiles({ 'k.pem': keyPem, 'c.pem': certPem });
  try {
    return [
      execFileSync('openssl', ['pkey', '-in', t.path('k.pem'), '-pubout'], { encoding: 'utf8' }),
      execFileSync('openssl', ['x509', '-in', t.path('c.pem'), '-noout', '-pubkey'], { encoding: 'utf8' }),
    ];
  } finally {
    t.cleanup();
  }
}

// Pure-BigInt RSA generation takes seconds: one RSA-2048 key from generateKey for this file (the
// leaf's), node:crypto keys for the two CAs.
let rsaLeafKey: ReturnType<typeof generateKey>;
let rsaKeygenMs = 0;
beforeAll(() => {
  const t0 = performance.now();
  rsaLeafKey = generateKey('rsa-2048');
  rsaKeygenMs = performance.now() - t0;
  console.log(`generateKey('rsa-2048'): ${rsaKeygenMs.toFixed(0)} ms`);
});

const fastTypes = ['ecdsa-p256', 'ecdsa-p384', 'ecdsa-p521', 'ed25519'] as const satisfies readonly KeyType[];

describe('createChain', () => {
  for (const keyType of [...fastTypes, 'rsa-2048' as const]) {
    describe(keyType, () => {
      let chain: GeneratedChain;
      let ms = 0;
      beforeAll(() => {
        const t0 = performance.now();
        chain = createChain({
          keyType,
          leafSubjectAltNames: ['www.example.test', '192.0.2.7'],
          now,
          ...(keyType === 'rsa-2048'
            ? { keys: { root: nodeKey('rsa-2048'), intermediate: nodeKey('rsa-2048'), leaf: rsaLeafKey.privateKey } }
            : {}),
        });
        ms = performance.now() - t0;
        console.log(`createChain(${keyType}, depth 2): ${ms.toFixed(1)} ms`);
      });

      it('passes openssl verify -purpose sslserver -verify_hostname', () => {
        const r = opensslVerifyChain(chain, 'www.example.test');
        expect(r.output).toContain(': OK');
        expect(r.status).toBe(0);
        expect(opensslVerifyChain(chain, 'other.example.test').output).toContain('error 62');
      });

      it('passes our verifyChain, leaf to root', () => {
        const { chain: path } = ourVerify(chain, { hostname: 'www.example.test' });
        expect(path).toEqual([chain.leaf.der, chain.intermediate?.der, chain.root.der]);
        expect(verifyCodeOf(() => ourVerify(chain, { hostname: 'nope.example.test' }))).toBe(62);
      });

      it('writes keys that OpenSSL reads and that match their certificates', () => {
        for (const member of [chain.root, chain.intermediate, chain.leaf]) {
          if (member === undefined) throw new Error('missing intermediate');
          const [fromKey, fromCert] = opensslPublicKeys(member.keyPem, member.pem);
          expect(fromKey).toBe(fromCert);
        }
      });

      it('has CA constraints where they belong', () => {
        expect(chain.root.certificate.basicConstraints).toEqual({ ca: true, pathLenConstraint: undefined });
        expect(chain.intermediate?.certificate.basicConstraints).toEqual({ ca: true, pathLenConstraint: 0 });
        expect(chain.leaf.certificate.basicConstraints?.ca).toBe(false);
        expect(chain.leaf.certificate.extKeyUsage).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
        expect(chain.certChainPem).toBe(chain.leaf.pem + chain.intermediate?.pem);
      });
    });
  }

  it('depth 1 builds root → leaf, and the default SANs cover localhost', () => {
    const chain = createChain({ keyType: 'ecdsa-p256', depth: 1, now });
    expect(chain.intermediate).toBeUndefined();
    expect(chain.certChainPem).toBe(chain.leaf.pem);
    expect(opensslVerifyChain(chain, 'localhost').output).toContain(': OK');
    expect(ourVerify(chain, { hostname: 'localhost' }).chain).toHaveLength(2);
    expect(chain.leaf.certificate.subject.rdns[0]?.[0]?.value).toBe('localhost');
  });

  it('validity starts an hour before now and lasts `days`', () => {
    const chain = createChain({ keyType: 'ed25519', now, days: 2 });
    expect(chain.leaf.certificate.notBefore).toBe(now.getTime() - 3_600_000);
    expect(chain.leaf.certificate.notAfter).toBe(now.getTime() - 3_600_000 + 2 * 86_400_000);
    expect(verifyCodeOf(() => ourVerify(chain, { at: new Date(now.getTime() + 3 * 86_400_000) }))).toBe(10);
    expect(
      opensslVerifyChain(chain, 'localhost', ['-attime', String(now.getTime() / 1000 + 3 * 86400)]).output,
    ).toContain('certificate has expired');
  });

  it('a clientAuth-only leaf is refused for serverAuth, by OpenSSL and by us', () => {
    const chain = createChain({ keyType: 'ecdsa-p256', leafExtKeyUsage: ['clientAuth'], now });
    expect(opensslVerifyChain(chain, 'localhost').output).toContain('error 26 at 0 depth lookup');
    expect(verifyCodeOf(() => ourVerify(chain))).toBe(26);
    expect(ourVerify(chain, { purpose: 'clientAuth' }).chain).toHaveLength(3);
  });

  it('mixes key types and custom subjects', () => {
    const chain = createChain({
      keyType: 'ecdsa-p384',
      leafKeyType: 'ed25519',
      rootSubject: 'CN=My Root,O=Example,C=FR',
      leafSubject: 'CN=svc',
      leafSubjectAltNames: { dns: ['svc.internal'], uri: ['spiffe://example/svc'] },
      now,
    });
    expect(chain.leaf.key.kind).toBe('ed25519');
    expect(chain.root.key.kind).toBe('ec');
    expect(opensslVerifyChain(chain, 'svc.internal').output).toContain(': OK');
  });

  it('is reproducible from now and randomBytes', () => {
    const a = createChain({ keyType: 'ecdsa-p256', now, randomBytes: seededRandom(42) });
    const b = createChain({ keyType: 'ecdsa-p256', now, randomBytes: seededRandom(42) });
    expect(b.leaf.der).toEqual(a.leaf.der);
    expect(b.root.keyPem).toBe(a.root.keyPem);
    const c = createChain({ keyType: 'ecdsa-p256', now, randomBytes: seededRandom(43) });
    expect(c.leaf.der).not.toEqual(a.leaf.der);
  });

  it('rejects bad options', () => {
    expect(() => createChain({ keyType: 'ecdsa-p256', depth: 3 as 2, now })).toThrow(/depth/);
    expect(() => createChain({ keyType: 'dsa' as KeyType, now })).toThrow(/unknown key type/);
    expect(() => createChain({ keyType: 'ecdsa-p256', leafSubjectAltNames: [], now })).toThrow(/at least one SAN/);
  });
});

describe('generateKey', () => {
  it('returns matching private, public, PKCS#8 and PEM forms for the fast key types', () => {
    for (const type of fastTypes) {
      const k = generateKey(type);
      const t = tempFiles({ 'k.pem': k.pem, 'k.der': k.pkcs8 });
      try {
        const fromPem = execFileSync('openssl', ['pkey', '-in', t.path('k.pem'), '-pubout', '-outform', 'DER']);
        const fromDer = execFileSync('openssl', [
          'pkey',
          '-inform',
          'DER',
          '-in',
          t.path('k.der'),
          '-pubout',
          '-outform',
          'DER',
        ]);
        expect(Uint8Array.from(fromPem)).toEqual(Uint8Array.from(fromDer));
      } finally {
        t.cleanup();
      }
      expect(k.publicKey.kind).toBe(type === 'ed25519' ? 'ed25519' : 'ec');
    }
  });

  it('generates an RSA-2048 key with the right size (timed once per file)', () => {
    expect(rsaLeafKey.privateKey.kind).toBe('rsa');
    expect(rsaLeafKey.publicKey).toMatchObject({ kind: 'rsa', bits: 2048, e: 65537n });
    const t = tempFiles({ 'k.pem': rsaLeafKey.pem });
    try {
      expect(
        execFileSync('openssl', ['pkey', '-in', t.path('k.pem'), '-check', '-noout'], { encoding: 'utf8' }),
      ).toContain('valid');
    } finally {
      t.cleanup();
    }
    expect(KEY_TYPES).toContain('rsa-4096');
  });
});

describe('constrained CAs built with createCertificate', () => {
  const rootKey = generateKey('ecdsa-p256');
  const root = createCertificate({
    subject: 'CN=Constrained Root',
    key: rootKey.privateKey,
    isCa: true,
    now,
    nameConstraints: {
      permitted: { dns: ['allowed.test'], ip: ['192.0.2.0/24'] },
      excluded: { dns: ['bad.allowed.test'] },
    },
  });
  const leafFor = (dns: string[], ip: string[] = []) =>
    createCertificate({
      subject: [['CN', dns[0] ?? 'x']],
      // The public key alone suffices when the issuer signs.
      publicKey: generateKey('ecdsa-p256').publicKey,
      issuer: { certificate: root.der, key: rootKey.privateKey },
      subjectAltNames: { dns, ip },
      extKeyUsage: ['serverAuth'],
      now,
    });
  const check = (leaf: ReturnType<typeof leafFor>, host: string) => ({
    openssl: opensslVerify(root.pem, leaf.pem, [], ['-attime', at, '-verify_hostname', host]).output,
    ours: verifyCodeOf(() => verifyChain({ leaf: leaf.der, trustAnchors: [root.der], at: now, hostname: host })),
  });

  it('a leaf inside the permitted subtrees verifies', () => {
    const r = check(leafFor(['www.allowed.test'], ['192.0.2.10']), 'www.allowed.test');
    expect(r.openssl).toContain(': OK');
    expect(r.ours).toBeUndefined();
  });

  it('a leaf outside them, or in an excluded subtree, is refused by both (47 permitted/48 excluded subtree violation)', () => {
    const outside = check(leafFor(['www.other.test']), 'www.other.test');
    expect(outside.openssl).toContain('error 47');
    expect(outside.ours).toBe(47);
    const excluded = check(leafFor(['x.bad.allowed.test']), 'x.bad.allowed.test');
    expect(excluded.openssl).toContain('error 48');
    expect(excluded.ours).toBe(48);
    const ipOutside = check(leafFor(['ok.allowed.test'], ['198.51.100.1']), 'ok.allowed.test');
    expect(ipOutside.openssl).toContain('error 47');
    expect(ipOutside.ours).toBe(47);
  });
});
