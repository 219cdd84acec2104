/**
 * The context's VerifiedChainCache seen through handshakes (both versions, both directions): the second
 * handshake with the same chain skips re-validation, but expiry at the injected clock, the hostname, the
 * trust store, the verify flags and the chain's bytes still decide every handshake.
 */
import {
  CERT_REQUIRED,
  type CryptoProvider,
  defaultProvider,
  MemoryBIO,
  PROTOCOL_TLS_CLIENT,
  PROTOCOL_TLS_SERVER,
  SSLCertVerificationError,
  SSLContext,
  type SSLObject,
  SSLWantReadError,
  TLSVersion,
  VERIFY_X509_STRICT,
  VERIFY_X509_TRUSTED_FIRST,
} from '@sanstls/core';
import { createChain } from '@sanstls/x509/generate';
import { describe, expect, it } from 'vitest';

const NOW = Date.UTC(2026, 5, 1);
const DAY = 86_400_000;
const chain = createChain({ keyType: 'ed25519', now: new Date(NOW), days: 30 });
const otherChain = createChain({ keyType: 'ed25519', now: new Date(NOW), days: 30 });
const clientChain = createChain({ keyType: 'ed25519', now: new Date(NOW), days: 10 });

/** The real noble provider, counting signature verifications (certificates and CertificateVerify). */
function counting(): CryptoProvider & { verifications: number } {
  const p = Object.create(defaultProvider) as CryptoProvider & { verifications: number };
  p.verifications = 0;
  p.verify = (...args) => {
    p.verifications++;
    return defaultProvider.verify(...args);
  };
  return p;
}

function step(obj: SSLObject): unknown {
  try {
    obj.doHandshake();
    return true;
  } catch (e) {
    return e instanceof SSLWantReadError ? false : e;
  }
}

/** Runs a handshake; returns the client's and the server's failures (undefined when none). */
function connect(
  client: SSLContext,
  server: SSLContext,
  serverHostname = 'localhost',
): { client: unknown; server: unknown } {
  const [ci, co, si, so] = [new MemoryBIO(), new MemoryBIO(), new MemoryBIO(), new MemoryBIO()];
  const c = client.wrapBio(ci, co, { serverHostname });
  const s = server.wrapBio(si, so, { serverSide: true });
  const out: { client: unknown; server: unknown } = { client: undefined, server: undefined };
  for (let round = 0; round < 12; round++) {
    if (out.client === undefined) {
      const r = step(c);
      if (r !== true && r !== false) out.client = r;
    }
    if (co.pending > 0) si.write(co.read());
    if (out.server === undefined) {
      const r = step(s);
      if (r !== true && r !== false) out.server = r;
    }
    if (so.pending > 0) ci.write(so.read());
  }
  return out;
}

const verifyCode = (e: unknown) => (e instanceof SSLCertVerificationError ? e.verifyCode : e);

for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
  describe(`verified-chain cache over ${version} handshakes`, () => {
    function contexts() {
      const clock = { now: NOW };
      const provider = counting();
      const client = new SSLContext(PROTOCOL_TLS_CLIENT, { now: () => clock.now, cryptoProvider: provider });
      client.loadVerifyLocations({ cadata: chain.root.pem });
      const server = new SSLContext(PROTOCOL_TLS_SERVER, { now: () => clock.now });
      server.loadCertChain(chain.certChainPem, chain.leaf.keyPem);
      if (version === 'TLSv1.2') client.maximumVersion = TLSVersion.TLSv1_2;
      return { clock, provider, client, server };
    }

    it('the second handshake verifies only CertificateVerify / ServerKeyExchange, not the chain', () => {
      const { provider, client, server } = contexts();
      expect(connect(client, server)).toEqual({ client: undefined, server: undefined });
      const first = provider.verifications;
      // Without the (issuer, certificate) signature cache, only a remembered path spares the signatures.
      client.signatureCache.clear();
      expect(connect(client, server)).toEqual({ client: undefined, server: undefined });
      expect(provider.verifications - first).toBe(1);
      expect(client.verifiedChainCache.size).toBe(1);
    });

    it('expiry at the injected clock still fails a cached chain', () => {
      const { clock, client, server } = contexts();
      expect(connect(client, server).client).toBeUndefined();
      clock.now = NOW + 40 * DAY;
      expect(verifyCode(connect(client, server).client)).toBe(10); // X509_V_ERR_CERT_HAS_EXPIRED
      clock.now = NOW - 2 * DAY;
      expect(verifyCode(connect(client, server).client)).toBe(9); // X509_V_ERR_CERT_NOT_YET_VALID
      clock.now = NOW + DAY;
      expect(connect(client, server).client).toBeUndefined();
    });

    it('another hostname still fails a cached chain', () => {
      const { client, server } = contexts();
      expect(connect(client, server).client).toBeUndefined();
      expect(verifyCode(connect(client, server, 'other.example').client)).toBe(62); // HOSTNAME_MISMATCH
      expect(verifyCode(connect(client, server, '127.0.0.2').client)).toBe(64); // IP_ADDRESS_MISMATCH
      expect(connect(client, server, '127.0.0.1').client).toBeUndefined();
    });

    it('a changed trust store or verify flags validate again', () => {
      const { provider, client, server } = contexts();
      expect(connect(client, server).client).toBeUndefined();
      client.signatureCache.clear();
      let before = provider.verifications;
      client.loadVerifyLocations({ cadata: otherChain.root.pem });
      expect(connect(client, server).client).toBeUndefined();
      expect(provider.verifications - before).toBe(3); // leaf, intermediate, handshake signature
      client.signatureCache.clear();
      before = provider.verifications;
      client.verifyFlags = VERIFY_X509_TRUSTED_FIRST | VERIFY_X509_STRICT;
      expect(connect(client, server).client).toBeUndefined();
      expect(provider.verifications - before).toBe(3);
    });

    it('a different server chain is not taken for the cached one', () => {
      const { client, server } = contexts();
      expect(connect(client, server).client).toBeUndefined();
      const impostor = new SSLContext(PROTOCOL_TLS_SERVER, { now: () => NOW });
      impostor.loadCertChain(otherChain.certChainPem, otherChain.leaf.keyPem);
      expect(verifyCode(connect(client, impostor).client)).toBe(20); // UNABLE_TO_GET_ISSUER_CERT_LOCALLY
      // The impostor presenting the trusted chain cannot sign for its key (CertificateVerify / ServerKeyExchange).
      const thief = new SSLContext(PROTOCOL_TLS_SERVER, { now: () => NOW });
      thief.loadCertChainWithSigner(chain.certChainPem, () => new Uint8Array(64).fill(1));
      const stolen = connect(client, thief).client;
      expect(stolen).toBeInstanceOf(Error);
      expect(stolen).not.toBeInstanceOf(SSLCertVerificationError);
      expect(connect(client, server).client).toBeUndefined();
    });

    it('a server verifying client certificates keeps the same rules', () => {
      const { clock, client, server } = contexts();
      server.verifyMode = CERT_REQUIRED;
      server.loadVerifyLocations({ cadata: clientChain.root.pem });
      client.loadCertChain(clientChain.certChainPem, clientChain.leaf.keyPem);
      expect(connect(client, server)).toEqual({ client: undefined, server: undefined });
      expect(connect(client, server)).toEqual({ client: undefined, server: undefined });
      expect(server.verifiedChainCache.size).toBe(1);
      // The client's certificate expires before the server's.
      clock.now = NOW + 20 * DAY;
      expect(verifyCode(connect(client, server).server)).toBe(10);
    });
  });
}
