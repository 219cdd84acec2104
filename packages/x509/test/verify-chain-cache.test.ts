/**
 * VerifiedChainCache: a remembered path must never answer for what may have changed since — the time,
 * the reference identity, the trust store, the options, the bytes — and must save the work it exists
 * to save (signatures are not verified again on a hit).
 */
import { describe, expect, it } from 'vitest';
import { createChain } from '../src/generate/index.js';
import {
  nobleSignatureProvider,
  parseCertificate,
  type SignatureProvider,
  TrustStore,
  VERIFY_X509_STRICT,
  VERIFY_X509_TRUSTED_FIRST,
  VerifiedChainCache,
  type VerifyChainOptions,
  verifyChain,
  X509_V_ERR,
} from '../src/index.js';
import { verifyCodeOf } from './verify-pki.js';

const NOW = Date.UTC(2026, 5, 1);
const DAY = 86_400_000;
const chainA = createChain({ keyType: 'ed25519', now: new Date(NOW), days: 30, leafSubjectAltNames: ['a.example'] });
const chainB = createChain({ keyType: 'ed25519', now: new Date(NOW), days: 30, leafSubjectAltNames: ['a.example'] });

/** The real noble provider, counting signature verifications. */
function countingProvider(): SignatureProvider & { verifications: number } {
  const p = {
    verifications: 0,
    verify(...args: Parameters<SignatureProvider['verify']>) {
      p.verifications++;
      return nobleSignatureProvider.verify(...args);
    },
  };
  return p as SignatureProvider & { verifications: number };
}

function storeOf(...roots: Uint8Array[]): TrustStore {
  const store = new TrustStore();
  for (const r of roots) store.add(r);
  return store;
}

/** The chain as a peer sends it (fresh arrays, as a TLS engine slices them from a message). */
function peerChain(c: typeof chainA): { leaf: Uint8Array; intermediates: Uint8Array[] } {
  return { leaf: c.leaf.der.slice(), intermediates: [c.intermediate!.der.slice()] };
}

function setup() {
  const cache = new VerifiedChainCache(8);
  const provider = countingProvider();
  const store = storeOf(chainA.root.der);
  const verify = (over: Partial<VerifyChainOptions> = {}) =>
    verifyChain({
      ...peerChain(chainA),
      trustAnchors: store,
      at: new Date(NOW),
      hostname: 'a.example',
      signatureProvider: provider,
      verifiedChainCache: cache,
      ...over,
    });
  return { cache, provider, store, verify };
}

describe('VerifiedChainCache', () => {
  it('a hit returns the same path without verifying a signature again', () => {
    const { cache, provider, verify } = setup();
    const first = verify();
    expect(provider.verifications).toBe(2); // leaf and intermediate (the anchor's own is never checked)
    const second = verify();
    expect(provider.verifications).toBe(2);
    expect(second.chain).toEqual(first.chain);
    expect(second.chain.map((d) => d.length)).toEqual([
      chainA.leaf.der.length,
      chainA.intermediate!.der.length,
      chainA.root.der.length,
    ]);
    expect(cache.size).toBe(1);
  });

  it('the returned path holds the caller’s arrays, never the cache’s private copies', () => {
    const { verify } = setup();
    verify();
    const sent = peerChain(chainA);
    const { chain } = verify(sent);
    expect(chain[0]).toBe(sent.leaf);
    expect(chain[1]).toBe(sent.intermediates[0]);
  });

  it('a hit still fails on expiry and before notBefore at the caller’s time', () => {
    const { provider, verify } = setup();
    verify();
    expect(verifyCodeOf(() => verify({ at: new Date(NOW + 40 * DAY) }))).toBe(X509_V_ERR.CERT_HAS_EXPIRED);
    expect(verifyCodeOf(() => verify({ at: new Date(NOW - 2 * DAY) }))).toBe(X509_V_ERR.CERT_NOT_YET_VALID);
    // Still valid in between, served from memory again.
    const before = provider.verifications;
    verify({ at: new Date(NOW + 10 * DAY) });
    expect(provider.verifications).toBe(before);
  });

  it('a hit still checks the hostname, the IP address and the e-mail address', () => {
    const { verify } = setup();
    verify();
    expect(verifyCodeOf(() => verify({ hostname: 'b.example' }))).toBe(X509_V_ERR.HOSTNAME_MISMATCH);
    expect(verifyCodeOf(() => verify({ hostname: undefined, ip: '192.0.2.7' }))).toBe(X509_V_ERR.IP_ADDRESS_MISMATCH);
    expect(verifyCodeOf(() => verify({ email: 'x@a.example' }))).toBe(X509_V_ERR.EMAIL_MISMATCH);
    expect(verifyCodeOf(() => verify())).toBeUndefined();
  });

  it('a changed trust store or another store is not served a verdict made under the old one', () => {
    const { provider, store, verify } = setup();
    verify();
    // Another store without chain A's root: the remembered path is not trusted there.
    expect(verifyCodeOf(() => verify({ trustAnchors: storeOf(chainB.root.der) }))).toBe(
      X509_V_ERR.UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
    );
    // The same store grown by an anchor: validated again (signatures checked again), then remembered.
    const before = provider.verifications;
    store.add(chainB.root.der);
    verify();
    expect(provider.verifications).toBe(before + 2);
    verify();
    expect(provider.verifications).toBe(before + 2);
  });

  it('options that change the answer are part of the verdict: flags, purpose, depth, provider', () => {
    const { provider, verify } = setup();
    verify();
    const n = provider.verifications;
    verify({ flags: VERIFY_X509_TRUSTED_FIRST | VERIFY_X509_STRICT });
    expect(provider.verifications).toBe(n + 2);
    // The default chain's leaf allows clientAuth too; a purpose change is a new verdict all the same.
    verify({ purpose: 'clientAuth' });
    expect(provider.verifications).toBe(n + 4);
    expect(verifyCodeOf(() => verify({ maxDepth: 0 }))).toBe(X509_V_ERR.CERT_CHAIN_TOO_LONG);
    const other = countingProvider();
    verify({ signatureProvider: other });
    expect(other.verifications).toBe(2);
    // The first verdict is still there.
    verify();
    expect(provider.verifications).toBe(n + 4);
  });

  it('a different chain is never confused with a remembered one, even with the same lengths and final bytes', () => {
    const { provider, verify } = setup();
    verify();
    // Chain B: another root, same shape and names. Not trusted by this store.
    expect(verifyCodeOf(() => verify(peerChain(chainB)))).toBe(X509_V_ERR.UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
    // Chain A with one byte of the leaf's serial number changed: same length and same signature bytes
    // (so the same bucket), but not the same certificate — its signature must be checked, and fails.
    const tampered = peerChain(chainA);
    const serial = parseCertificate(tampered.leaf).serialNumber;
    const last = serial.byteOffset - tampered.leaf.byteOffset + serial.length - 1;
    tampered.leaf[last] = tampered.leaf[last]! ^ 0x01;
    const before = provider.verifications;
    expect(verifyCodeOf(() => verify(tampered))).toBe(X509_V_ERR.CERT_SIGNATURE_FAILURE);
    expect(provider.verifications).toBeGreaterThan(before);
    // The untampered chain is still a hit.
    const after = provider.verifications;
    verify();
    expect(provider.verifications).toBe(after);
  });

  it('altering the caller’s buffers after a call does not alter what the cache holds', () => {
    const { provider, verify } = setup();
    const sent = peerChain(chainA);
    verify(sent);
    sent.leaf.fill(0);
    sent.intermediates[0]!.fill(0);
    const before = provider.verifications;
    verify();
    expect(provider.verifications).toBe(before);
  });

  it('failures are not remembered, and the cache is bounded', () => {
    const { cache, provider, verify } = setup();
    expect(verifyCodeOf(() => verify({ at: new Date(NOW + 40 * DAY) }))).toBe(X509_V_ERR.CERT_HAS_EXPIRED);
    const before = provider.verifications;
    verify();
    expect(provider.verifications).toBeGreaterThan(before); // validated in full: nothing was remembered
    for (let i = 0; i < 20; i++) {
      const c = peerChain(chainA);
      c.intermediates.push(chainB.leaf.der.slice(), new Uint8Array([i])); // distinct chains (junk is ignored)
      verify(c);
    }
    expect(cache.size).toBe(8);
    cache.clear();
    expect(cache.size).toBe(0);
  });

  it('answers as an uncached verification on mixed good and bad inputs', () => {
    const cache = new VerifiedChainCache(4);
    const store = storeOf(chainA.root.der);
    const cases: Partial<VerifyChainOptions>[] = [
      {},
      { hostname: 'b.example' },
      { hostname: undefined },
      { hostname: '' },
      { hostname: 'A.EXAMPLE.' },
      { hostname: 'a.example', flags: VERIFY_X509_TRUSTED_FIRST | VERIFY_X509_STRICT },
      { hostname: undefined, ip: '192.0.2.7' },
      { hostname: undefined, email: 'x@a.example' },
      { hostname: 'a.example', hostnameChecksCommonName: true },
      { at: new Date(NOW + 40 * DAY) },
      { ...peerChain(chainB) },
      { intermediates: [] },
      { purpose: 'any' },
      {},
    ];
    for (let round = 0; round < 3; round++) {
      for (const c of round === 1 ? [...cases].reverse() : cases) {
        const opts: VerifyChainOptions = {
          ...peerChain(chainA),
          trustAnchors: store,
          at: new Date(NOW),
          hostname: 'a.example',
          ...c,
        };
        const plain = verifyCodeOf(() => verifyChain(opts));
        const cached = verifyCodeOf(() => verifyChain({ ...opts, verifiedChainCache: cache }));
        expect(cached).toBe(plain);
      }
    }
  });
});
