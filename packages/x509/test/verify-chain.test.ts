/**
 * verifyChain on openssl-CLI-generated chains: one positive and one negative case per rule, with
 * `openssl verify` (OpenSSL 3.0) as the oracle for the X509_V_ERR code wherever both implement the
 * same rule; rules where sanstls is deliberately stricter or more capable are asserted on their own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  parseCertificate,
  TrustStore,
  VERIFY_CRL_CHECK_CHAIN,
  VERIFY_CRL_CHECK_LEAF,
  VERIFY_X509_PARTIAL_CHAIN,
  VERIFY_X509_STRICT,
  VERIFY_X509_TRUSTED_FIRST,
  VerifiedSignatureCache,
  type VerifyChainOptions,
  verifyChain,
} from '../src/index.js';
import { CA_EXT, LEAF_EXT, OpensslPki, opensslAvailable, verifyCodeOf } from './verify-pki.js';

const hasOpenssl = opensslAvailable();
if (!hasOpenssl) console.log('verify-chain: openssl CLI not found; skipped');

/** Our verdict: 0 for success, else the SSLCertVerificationError code. */
function code(opts: VerifyChainOptions): number {
  return verifyCodeOf(() => verifyChain(opts)) ?? 0;
}

const DAY = 86_400_000;

describe.skipIf(!hasOpenssl)('verifyChain on openssl-generated chains', () => {
  let pki: OpensslPki;
  const d = (name: string): Uint8Array => pki.der(name);

  beforeAll(() => {
    pki = new OpensslPki();
    pki.cert('root', { subject: '/O=sanstls test/CN=Root', ext: CA_EXT });
    pki.cert('inter', { subject: '/O=sanstls test/CN=Intermediate', issuer: 'root', ext: CA_EXT });
    pki.cert('leaf', { subject: '/CN=example.com', issuer: 'inter', ext: LEAF_EXT });
  }, 60_000);
  afterAll(() => pki?.dispose());

  const base = (): VerifyChainOptions => ({ leaf: d('leaf'), intermediates: [d('inter')], trustAnchors: [d('root')] });

  it('accepts a valid chain and returns it leaf first, anchor last', () => {
    expect(pki.verify('leaf', ['root'], ['inter'])).toBe(0);
    const { chain } = verifyChain(base());
    expect(chain).toEqual([d('leaf'), d('inter'), d('root')]);
  });

  it('checks the host name and IP address (62 / 64), like openssl verify', () => {
    for (const host of ['example.com', 'www.example.org']) {
      expect(pki.verify('leaf', ['root'], ['inter'], { hostname: host })).toBe(0);
      expect(code({ ...base(), hostname: host })).toBe(0);
    }
    for (const host of ['www.example.com', 'example.org', 'a.b.example.org']) {
      expect(pki.verify('leaf', ['root'], ['inter'], { hostname: host })).toBe(62);
      expect(code({ ...base(), hostname: host })).toBe(62);
    }
    expect(pki.verify('leaf', ['root'], ['inter'], { ip: '192.0.2.1' })).toBe(0);
    expect(code({ ...base(), ip: '192.0.2.1' })).toBe(0);
    expect(code({ ...base(), hostname: '192.0.2.1' })).toBe(0);
    expect(pki.verify('leaf', ['root'], ['inter'], { ip: '192.0.2.2' })).toBe(64);
    expect(code({ ...base(), ip: '192.0.2.2' })).toBe(64);
    // A bracketed literal, as in a URL's host, names the address; '[]' and '[' are (mismatching) names.
    expect(code({ ...base(), hostname: '[192.0.2.1]' })).toBe(0);
    expect(code({ ...base(), hostname: '[192.0.2.2]' })).toBe(64);
    expect(code({ ...base(), hostname: '[]' })).toBe(62);
    expect(code({ ...base(), hostname: '[' })).toBe(62);
  });

  it('needs the issuer (20), and reports self-signed certificates as OpenSSL does (18, 19)', () => {
    expect(pki.verify('leaf', ['root'], [])).toBe(20);
    expect(code({ ...base(), intermediates: [] })).toBe(20);
    pki.cert('selfsigned', { subject: '/CN=example.com', ext: LEAF_EXT.filter((l) => !l.startsWith('authorityKey')) });
    expect(pki.verify('selfsigned', ['root'], [])).toBe(18);
    expect(code({ ...base(), leaf: d('selfsigned'), intermediates: [] })).toBe(18);
    expect(pki.verify('selfsigned', ['selfsigned'], [])).toBe(0);
    expect(verifyChain({ leaf: d('selfsigned'), trustAnchors: [d('selfsigned')] }).chain).toEqual([d('selfsigned')]);
    pki.cert('otherroot', { subject: '/CN=Other Root', ext: CA_EXT });
    expect(pki.verify('leaf', ['otherroot'], ['inter', 'root'])).toBe(19);
    expect(code({ ...base(), intermediates: [d('inter'), d('root')], trustAnchors: [d('otherroot')] })).toBe(19);
  });

  it('checks validity periods of every certificate at the validation time (9 / 10)', () => {
    const future = new Date(Date.now() + 4000 * DAY);
    const past = new Date(Date.now() - 2 * DAY);
    expect(pki.verify('leaf', ['root'], ['inter'], { attime: future })).toBe(10);
    expect(code({ ...base(), at: future })).toBe(10);
    expect(pki.verify('leaf', ['root'], ['inter'], { attime: past })).toBe(9);
    expect(code({ ...base(), at: past })).toBe(9);
    pki.cert('shortleaf', { subject: '/CN=example.com', issuer: 'inter', ext: LEAF_EXT, days: 1 });
    const in2days = new Date(Date.now() + 2 * DAY);
    expect(pki.verify('shortleaf', ['root'], ['inter'], { attime: in2days })).toBe(10);
    expect(code({ ...base(), leaf: d('shortleaf'), at: in2days })).toBe(10);
    expect(code({ ...base(), leaf: d('shortleaf'), at: new Date(Date.now() + DAY / 2) })).toBe(0);
  });

  it('requires issuers to be CAs (79) allowed to sign certificates (79, as OpenSSL reports it first)', () => {
    pki.cert('notca', {
      subject: '/CN=Not A CA',
      issuer: 'root',
      ext: ['basicConstraints=critical,CA:FALSE', 'subjectKeyIdentifier=hash', 'authorityKeyIdentifier=keyid'],
    });
    pki.cert('leaf-notca', { subject: '/CN=example.com', issuer: 'notca', ext: LEAF_EXT });
    expect(pki.verify('leaf-notca', ['root'], ['notca'])).toBe(79);
    expect(code({ ...base(), leaf: d('leaf-notca'), intermediates: [d('notca')] })).toBe(79);
    pki.cert('nocertsign', {
      subject: '/CN=No CertSign',
      issuer: 'root',
      ext: [
        'basicConstraints=critical,CA:TRUE',
        'keyUsage=critical,cRLSign',
        'subjectKeyIdentifier=hash',
        'authorityKeyIdentifier=keyid',
      ],
    });
    pki.cert('leaf-nocertsign', { subject: '/CN=example.com', issuer: 'nocertsign', ext: LEAF_EXT });
    expect(pki.verify('leaf-nocertsign', ['root'], ['nocertsign'])).toBe(79);
    expect(code({ ...base(), leaf: d('leaf-nocertsign'), intermediates: [d('nocertsign')] })).toBe(79);
  });

  it('enforces pathLenConstraint (25) and does not count self-issued certificates', () => {
    pki.cert('root-pl0', {
      subject: '/CN=Root PL0',
      ext: [
        'basicConstraints=critical,CA:TRUE,pathlen:0',
        'keyUsage=critical,keyCertSign,cRLSign',
        'subjectKeyIdentifier=hash',
      ],
    });
    pki.cert('inter-pl', { subject: '/CN=Inter PL', issuer: 'root-pl0', ext: CA_EXT });
    pki.cert('leaf-pl', { subject: '/CN=example.com', issuer: 'inter-pl', ext: LEAF_EXT });
    pki.cert('leaf-direct', { subject: '/CN=example.com', issuer: 'root-pl0', ext: LEAF_EXT });
    expect(pki.verify('leaf-direct', ['root-pl0'], [])).toBe(0);
    expect(code({ leaf: d('leaf-direct'), trustAnchors: [d('root-pl0')] })).toBe(0);
    expect(pki.verify('leaf-pl', ['root-pl0'], ['inter-pl'])).toBe(25);
    expect(code({ leaf: d('leaf-pl'), intermediates: [d('inter-pl')], trustAnchors: [d('root-pl0')] })).toBe(25);
    // A self-issued intermediate (key rollover) under a pathlen:0 intermediate is free (RFC 5280 §6.1.4(l)).
    pki.cert('ica0', {
      subject: '/CN=ICA0',
      issuer: 'root',
      ext: [
        'basicConstraints=critical,CA:TRUE,pathlen:0',
        'keyUsage=critical,keyCertSign',
        'subjectKeyIdentifier=hash',
        'authorityKeyIdentifier=keyid',
      ],
    });
    pki.cert('ica0-new', { subject: '/CN=ICA0', issuer: 'ica0', ext: CA_EXT });
    pki.cert('leaf-rollover', { subject: '/CN=example.com', issuer: 'ica0-new', ext: LEAF_EXT });
    expect(pki.verify('leaf-rollover', ['root'], ['ica0', 'ica0-new'])).toBe(0);
    expect(
      code({ leaf: d('leaf-rollover'), intermediates: [d('ica0-new'), d('ica0')], trustAnchors: [d('root')] }),
    ).toBe(0);
  });

  it('limits the number of intermediates with maxDepth (22)', () => {
    pki.cert('inter2', { subject: '/CN=Intermediate 2', issuer: 'inter', ext: CA_EXT });
    pki.cert('leaf2', { subject: '/CN=example.com', issuer: 'inter2', ext: LEAF_EXT });
    const opts = { leaf: d('leaf2'), intermediates: [d('inter'), d('inter2')], trustAnchors: [d('root')] };
    expect(code({ ...opts, maxDepth: 2 })).toBe(0);
    expect(code({ ...opts, maxDepth: 1 })).toBe(22);
    expect(verifyChain(opts).chain).toHaveLength(4);
  });

  it('checks extendedKeyUsage on the leaf and on CAs that carry it (26)', () => {
    pki.cert('leaf-client', {
      subject: '/CN=example.com',
      issuer: 'inter',
      ext: LEAF_EXT.map((l) => (l.startsWith('extendedKeyUsage') ? 'extendedKeyUsage=clientAuth' : l)),
    });
    expect(pki.verify('leaf-client', ['root'], ['inter'])).toBe(26);
    expect(code({ ...base(), leaf: d('leaf-client') })).toBe(26);
    expect(pki.verify('leaf-client', ['root'], ['inter'], { purpose: 'sslclient' })).toBe(0);
    expect(code({ ...base(), leaf: d('leaf-client'), purpose: 'clientAuth' })).toBe(0);
    expect(code({ ...base(), leaf: d('leaf-client'), purpose: 'any' })).toBe(0);
    pki.cert('inter-client', {
      subject: '/CN=Client CA',
      issuer: 'root',
      ext: [...CA_EXT, 'extendedKeyUsage=clientAuth'],
    });
    pki.cert('leaf-under-client', { subject: '/CN=example.com', issuer: 'inter-client', ext: LEAF_EXT });
    expect(pki.verify('leaf-under-client', ['root'], ['inter-client'])).toBe(26);
    expect(code({ ...base(), leaf: d('leaf-under-client'), intermediates: [d('inter-client')] })).toBe(26);
  });

  it('checks the leaf keyUsage for TLS (26) unless told otherwise', () => {
    pki.cert('leaf-ku', {
      subject: '/CN=example.com',
      issuer: 'inter',
      ext: LEAF_EXT.map((l) => (l.startsWith('keyUsage') ? 'keyUsage=critical,dataEncipherment' : l)),
    });
    expect(pki.verify('leaf-ku', ['root'], ['inter'])).toBe(26);
    expect(code({ ...base(), leaf: d('leaf-ku') })).toBe(26);
    expect(code({ ...base(), leaf: d('leaf-ku'), leafKeyUsage: [] })).toBe(0);
  });

  it('rejects unknown critical extensions (34) and ignores unknown non-critical ones', () => {
    pki.cert('leaf-crit', {
      subject: '/CN=example.com',
      issuer: 'inter',
      ext: [...LEAF_EXT, '1.3.6.1.4.1.55738.1=critical,ASN1:NULL'],
    });
    pki.cert('leaf-noncrit', {
      subject: '/CN=example.com',
      issuer: 'inter',
      ext: [...LEAF_EXT, '1.3.6.1.4.1.55738.1=ASN1:NULL'],
    });
    expect(pki.verify('leaf-crit', ['root'], ['inter'])).toBe(34);
    expect(code({ ...base(), leaf: d('leaf-crit') })).toBe(34);
    expect(pki.verify('leaf-noncrit', ['root'], ['inter'])).toBe(0);
    expect(code({ ...base(), leaf: d('leaf-noncrit') })).toBe(0);
  });

  it('applies permitted and excluded name constraints (47 / 48) to DNS, IP and email names', () => {
    const ncCa = (name: string, nc: string): void => {
      pki.cert(name, { subject: `/CN=${name}`, issuer: 'root', ext: [...CA_EXT, `nameConstraints=critical,${nc}`] });
    };
    ncCa('nc-permit', 'permitted;DNS:example.com,permitted;DNS:example.org,permitted;IP:192.0.2.0/255.255.255.0');
    ncCa('nc-permit-narrow', 'permitted;DNS:example.com');
    ncCa('nc-exclude', 'excluded;DNS:example.org');
    ncCa('nc-exclude-ip', 'excluded;IP:192.0.2.0/255.255.255.128');
    ncCa('nc-email', 'permitted;email:example.net');
    const cases: [string, string, number][] = [
      ['nc-permit', LEAF_EXT.join('|'), 0],
      ['nc-permit-narrow', LEAF_EXT.join('|'), 47],
      ['nc-exclude', LEAF_EXT.join('|'), 48],
      ['nc-exclude-ip', LEAF_EXT.join('|'), 48],
      [
        'nc-email',
        [
          ...LEAF_EXT.filter((l) => !l.startsWith('subjectAlt')),
          'subjectAltName=DNS:example.com,email:a@mail.example.net',
        ].join('|'),
        47,
      ],
      [
        'nc-email',
        [
          ...LEAF_EXT.filter((l) => !l.startsWith('subjectAlt')),
          'subjectAltName=DNS:example.com,email:a@example.net',
        ].join('|'),
        0,
      ],
    ];
    for (const [ca, ext, expected] of cases) {
      const leafName = `leaf-${ca}-${expected}`;
      pki.cert(leafName, { subject: '/CN=example.com', issuer: ca, ext: ext.split('|') });
      expect(pki.verify(leafName, ['root'], [ca]), `${ca} openssl`).toBe(expected);
      expect(code({ leaf: d(leafName), intermediates: [d(ca)], trustAnchors: [d('root')] }), ca).toBe(expected);
    }
  });

  it('applies DNS name constraints to a commonName that serves as the host name when there is no SAN', () => {
    pki.cert('nc-cn', {
      subject: '/CN=nc-cn',
      issuer: 'root',
      ext: [...CA_EXT, 'nameConstraints=critical,permitted;DNS:example.org'],
    });
    pki.cert('leaf-cn-only', {
      subject: '/CN=www.example.com',
      issuer: 'nc-cn',
      ext: LEAF_EXT.filter((l) => !l.startsWith('subjectAlt')),
    });
    expect(pki.verify('leaf-cn-only', ['root'], ['nc-cn'])).toBe(47);
    expect(code({ leaf: d('leaf-cn-only'), intermediates: [d('nc-cn')], trustAnchors: [d('root')] })).toBe(47);
  });

  it('rejects a bad signature (7)', () => {
    const tampered = d('leaf').slice();
    tampered[tampered.length - 5] = (tampered[tampered.length - 5] as number) ^ 0x01;
    expect(code({ ...base(), leaf: tampered })).toBe(7);
  });

  it('rejects RSA keys under 2048 bits (66 / 67) and SHA-1 signatures (68) by default', () => {
    pki.cert('rsa-root', { subject: '/CN=RSA Root', ext: CA_EXT, key: 'rsa2048' });
    pki.cert('rsa-leaf-1024', { subject: '/CN=example.com', issuer: 'rsa-root', ext: LEAF_EXT, key: 'rsa1024' });
    pki.cert('rsa-leaf-sha1', {
      subject: '/CN=example.com',
      issuer: 'rsa-root',
      ext: LEAF_EXT,
      key: 'rsa2048',
      digest: 'sha1',
    });
    pki.cert('rsa-leaf', { subject: '/CN=example.com', issuer: 'rsa-root', ext: LEAF_EXT, key: 'rsa2048' });
    const rsa = (leaf: string, extra: Partial<VerifyChainOptions> = {}): number =>
      code({ leaf: d(leaf), trustAnchors: [d('rsa-root')], ...extra });
    expect(rsa('rsa-leaf')).toBe(0);
    expect(rsa('rsa-leaf-1024')).toBe(66);
    expect(rsa('rsa-leaf-1024', { minRsaBits: 1024 })).toBe(0);
    expect(rsa('rsa-leaf-sha1')).toBe(68);
    expect(rsa('rsa-leaf-sha1', { allowWeakSignatures: true })).toBe(0);
  });

  it('verifies Ed25519 chains', () => {
    pki.cert('ed-root', { subject: '/CN=Ed Root', ext: CA_EXT, key: 'ed25519' });
    pki.cert('ed-leaf', { subject: '/CN=example.com', issuer: 'ed-root', ext: LEAF_EXT, key: 'ed25519' });
    expect(pki.verify('ed-leaf', ['ed-root'], [])).toBe(0);
    expect(code({ leaf: d('ed-leaf'), trustAnchors: [d('ed-root')], hostname: 'example.com' })).toBe(0);
  });

  it('checks CRLs with VERIFY_CRL_CHECK_LEAF / _CHAIN (23, 3)', () => {
    pki.cert('leaf-revoked', { subject: '/CN=example.com', issuer: 'inter', ext: LEAF_EXT });
    pki.revoke('inter', 'leaf-revoked');
    const interCrl = pki.crl('inter');
    const rootCrl = pki.crl('root');
    const leafCheck = { ...base(), crls: [interCrl], flags: VERIFY_CRL_CHECK_LEAF };
    expect(pki.verify('leaf', ['root'], ['inter'], { crls: ['inter-crl'], crlCheck: 'leaf' })).toBe(0);
    expect(code(leafCheck)).toBe(0);
    expect(pki.verify('leaf-revoked', ['root'], ['inter'], { crls: ['inter-crl'], crlCheck: 'leaf' })).toBe(23);
    expect(code({ ...leafCheck, leaf: d('leaf-revoked') })).toBe(23);
    expect(code({ ...base(), leaf: d('leaf-revoked') })).toBe(0);
    expect(pki.verify('leaf', ['root'], ['inter'], { crls: ['root-crl'], crlCheck: 'leaf' })).toBe(3);
    expect(code({ ...leafCheck, crls: [rootCrl] })).toBe(3);
    expect(code({ ...base(), crls: [interCrl], flags: VERIFY_CRL_CHECK_CHAIN })).toBe(3);
    expect(code({ ...base(), crls: [interCrl, rootCrl], flags: VERIFY_CRL_CHECK_CHAIN })).toBe(0);
    // A CRL whose nextUpdate has passed (12).
    expect(code({ ...leafCheck, at: new Date(Date.now() + 40 * DAY) })).toBe(12);
    // CRLs also come from the TrustStore.
    const store = new TrustStore();
    store.add(d('root'));
    store.addCrl(interCrl);
    expect(code({ ...base(), leaf: d('leaf-revoked'), trustAnchors: store, flags: VERIFY_CRL_CHECK_LEAF })).toBe(23);
  });

  it('backtracks past a constrained or expired alternative to a valid cross-signed path', () => {
    // The same intermediate (subject and key) issued by two roots; the first root's copy is unusable.
    pki.cert('root-a', { subject: '/CN=Root A', ext: CA_EXT });
    pki.cert('root-b', { subject: '/CN=Root B', ext: CA_EXT });
    pki.cert('x-by-a', {
      subject: '/CN=Cross',
      issuer: 'root-a',
      ext: [...CA_EXT, 'nameConstraints=critical,excluded;DNS:example.com'],
    });
    pki.cert('x-by-b', { subject: '/CN=Cross', issuer: 'root-b', ext: CA_EXT, keyOf: 'x-by-a' });
    pki.cert('leaf-x', { subject: '/CN=example.com', issuer: 'x-by-a', ext: LEAF_EXT });
    const opts = { leaf: d('leaf-x'), trustAnchors: [d('root-a'), d('root-b')] };
    for (const order of [
      [d('x-by-a'), d('x-by-b')],
      [d('x-by-b'), d('x-by-a')],
    ]) {
      expect(verifyChain({ ...opts, intermediates: order }).chain).toEqual([d('leaf-x'), d('x-by-b'), d('root-b')]);
    }
    expect(code({ ...opts, intermediates: [d('x-by-a')] })).toBe(48);
  });

  it('honours VERIFY_X509_TRUSTED_FIRST: a trusted issuer beats the cross-certificate the peer sent', () => {
    // `root` re-issued as an intermediate by an older root: with trusted-first the path stops at `root`.
    pki.cert('old-root', { subject: '/CN=Old Root', ext: CA_EXT });
    pki.cert('root-cross', { subject: '/O=sanstls test/CN=Root', issuer: 'old-root', ext: CA_EXT, keyOf: 'root' });
    const opts = { ...base(), intermediates: [d('inter'), d('root-cross')], trustAnchors: [d('root'), d('old-root')] };
    expect(verifyChain({ ...opts, flags: VERIFY_X509_TRUSTED_FIRST }).chain).toHaveLength(3);
    expect(verifyChain({ ...opts }).chain).toHaveLength(3);
    expect(verifyChain({ ...opts, flags: 0 }).chain).toEqual([d('leaf'), d('inter'), d('root-cross'), d('old-root')]);
    // Without trusted-first, an expired cross-path is abandoned for the direct one (OpenSSL 1.0.2 failed here).
    pki.cert('old-root-short', { subject: '/CN=Old Short Root', ext: CA_EXT, days: 1 });
    pki.cert('root-cross-short', {
      subject: '/O=sanstls test/CN=Root',
      issuer: 'old-root-short',
      ext: CA_EXT,
      keyOf: 'root',
      days: 1,
    });
    const later = new Date(Date.now() + 3 * DAY);
    const expiredCross = {
      ...base(),
      intermediates: [d('inter'), d('root-cross-short')],
      trustAnchors: [d('root'), d('old-root-short')],
      at: later,
      flags: 0,
    };
    expect(verifyChain(expiredCross).chain).toEqual([d('leaf'), d('inter'), d('root')]);
  });

  it('trusts a non-self-signed leaf found in the store only with VERIFY_X509_PARTIAL_CHAIN', () => {
    expect(code({ leaf: d('leaf'), trustAnchors: [d('leaf')] })).toBe(20);
    expect(verifyChain({ leaf: d('leaf'), trustAnchors: [d('leaf')], flags: VERIFY_X509_PARTIAL_CHAIN }).chain).toEqual(
      [d('leaf')],
    );
    // An intermediate is a trust anchor of its own (RFC 5280 §6.1.1(d)).
    expect(verifyChain({ leaf: d('leaf'), trustAnchors: [d('inter')] }).chain).toEqual([d('leaf'), d('inter')]);
  });

  it('applies the RFC 5280 profile under VERIFY_X509_STRICT', () => {
    pki.cert('leaf-noaki', {
      subject: '/CN=example.com',
      issuer: 'inter',
      ext: LEAF_EXT.map((l) => (l.startsWith('authorityKey') ? 'authorityKeyIdentifier=none' : l)),
    });
    expect(code({ ...base(), leaf: d('leaf-noaki') })).toBe(0);
    expect(code({ ...base(), leaf: d('leaf-noaki'), flags: VERIFY_X509_STRICT })).toBe(85);
    expect(pki.verify('leaf-noaki', ['root'], ['inter'], { strict: true })).toBe(85);
    pki.cert('inter-bc-noncrit', {
      subject: '/CN=BC Noncrit',
      issuer: 'root',
      ext: CA_EXT.map((l) => (l.startsWith('basic') ? 'basicConstraints=CA:TRUE' : l)),
    });
    pki.cert('leaf-bc', { subject: '/CN=example.com', issuer: 'inter-bc-noncrit', ext: LEAF_EXT });
    const bcOpts = { leaf: d('leaf-bc'), intermediates: [d('inter-bc-noncrit')], trustAnchors: [d('root')] };
    expect(code(bcOpts)).toBe(0);
    expect(code({ ...bcOpts, flags: VERIFY_X509_STRICT })).toBe(89);
    expect(pki.verify('leaf-bc', ['root'], ['inter-bc-noncrit'], { strict: true })).toBe(89);
    expect(code({ ...base(), flags: VERIFY_X509_STRICT })).toBe(0);
  });

  it('stays fast on a pool of mutually cross-signed CAs (loops) and reports the missing anchor', () => {
    const names = ['loop-a', 'loop-b', 'loop-c'];
    for (const n of names) pki.cert(n, { subject: `/CN=${n}`, ext: CA_EXT });
    const pool: Uint8Array[] = [];
    for (const a of names) {
      for (const b of names) {
        if (a === b) continue;
        pool.push(pki.cert(`${a}-by-${b}`, { subject: `/CN=${a}`, issuer: b, ext: CA_EXT, keyOf: a }));
      }
    }
    pki.cert('leaf-loop', { subject: '/CN=example.com', issuer: 'loop-a', ext: LEAF_EXT });
    const t0 = performance.now();
    expect(code({ leaf: d('leaf-loop'), intermediates: pool, trustAnchors: [d('root')] })).toBe(20);
    expect(
      verifyChain({ leaf: d('leaf-loop'), intermediates: pool, trustAnchors: [d('loop-c')] }).chain.at(-1),
    ).toEqual(d('loop-c'));
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('remembers verified signatures across calls with a VerifiedSignatureCache', () => {
    const cache = new VerifiedSignatureCache(16);
    const opts = { ...base(), verifiedSignatureCache: cache };
    verifyChain(opts);
    expect(cache.size).toBe(2);
    let calls = 0;
    const counting = {
      verify: (): boolean => {
        calls++;
        return true;
      },
      sign: (): Uint8Array => new Uint8Array(),
    };
    verifyChain({ ...opts, signatureProvider: counting });
    expect(calls).toBe(0);
    verifyChain({ ...base(), signatureProvider: counting });
    expect(calls).toBe(2);
  });

  it('measures a 3-certificate ECDSA P-256 and RSA-2048 chain verification', () => {
    pki.cert('rsa-inter', { subject: '/CN=RSA Inter', issuer: 'rsa-root', ext: CA_EXT, key: 'rsa2048' });
    pki.cert('rsa-leaf3', { subject: '/CN=example.com', issuer: 'rsa-inter', ext: LEAF_EXT, key: 'rsa2048' });
    const chains = {
      'ECDSA P-256': { ...base(), hostname: 'example.com' },
      'RSA-2048': {
        leaf: d('rsa-leaf3'),
        intermediates: [d('rsa-inter')],
        trustAnchors: [d('rsa-root')],
        hostname: 'example.com',
      },
    };
    for (const [label, opts] of Object.entries(chains)) {
      verifyChain(opts);
      const n = 20;
      const t0 = performance.now();
      for (let i = 0; i < n; i++) verifyChain(opts);
      console.log(
        `verifyChain ${label} 3-cert chain: ${((performance.now() - t0) / n).toFixed(2)} ms (parse + build + 2 signatures)`,
      );
    }
    expect(parseCertificate(d('rsa-leaf3')).subject.rdns).toHaveLength(1);
  });
});
