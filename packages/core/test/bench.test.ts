/**
 * Measurements for issue #4's note (run with SANSTLS_BENCH=1; skipped otherwise, it asserts nothing
 * beyond sanity): in-memory full handshakes per second (X25519 + ECDSA P-256) next to the summed cost
 * of the primitives one handshake performs, and bulk MB/s through SSLObject per suite next to the raw
 * AEAD speed, measured in the same run.
 */
import { defaultProvider, nobleSha256 } from '@sanstls/core';
import { loadCertificates, loadPrivateKey, parsePublicKey } from '@sanstls/x509';
import { describe, expect, it } from 'vitest';
import { clientContext, handshake, makePair, readAll, serverContext, testPki, transfer } from './helpers/tls-pair.js';

const enabled = process.env.SANSTLS_BENCH === '1';
if (!enabled) console.log('bench: skipped (set SANSTLS_BENCH=1 to measure)');

function timePer(fn: () => void, minMs = 1500): number {
  fn();
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < minMs) {
    fn();
    n++;
  }
  return (performance.now() - t0) / n;
}

describe.skipIf(!enabled)('benchmarks', () => {
  it('handshakes per second vs primitive costs', () => {
    const client = clientContext();
    client.setGroups(['x25519']);
    client.setCiphersuites('TLS_CHACHA20_POLY1305_SHA256');
    const server = serverContext(['ec256']);
    const perHandshake = timePer(() => handshake(makePair(client, server)), 4000);
    const rng = defaultProvider.randomBytes;
    const x = defaultProvider.group('x25519')!;
    const kx = timePer(() => {
      const offer = x.generate(rng);
      const { share } = x.respond(offer.publicKey, rng);
      offer.complete(share);
    });
    const pki = testPki();
    const key = loadPrivateKey(pki.leaf.ec256.keyPem);
    const pub = parsePublicKey(loadCertificates(pki.leaf.ec256.certPem)[0]!.spki.der);
    const alg = { kind: 'ecdsa', hash: 'sha256' } as const;
    const msg = new Uint8Array(130);
    const sig = defaultProvider.sign(alg, key, msg, rng);
    const sign = timePer(() => defaultProvider.sign(alg, key, msg, rng));
    const verify = timePer(() => defaultProvider.verify(alg, pub, msg, sig));
    const hashes = timePer(() => nobleSha256.digest(new Uint8Array(4096)));
    // One handshake: 3 X25519 operations on the client side (gen, complete) + 2 on the server (gen, shared)
    // = the kx loop above; 1 ECDSA sign (server CertificateVerify); 1 ECDSA verify (CertificateVerify)
    // + 1 (leaf signature, first handshake only: later ones hit the verified-pair cache).
    const primitives = kx + sign + verify;
    console.log(
      `full handshake (X25519 + ECDSA P-256, ChaCha20): ${perHandshake.toFixed(2)} ms → ${(1000 / perHandshake).toFixed(0)} handshakes/s; ` +
        `primitives: X25519 kx ${kx.toFixed(2)} ms + ECDSA sign ${sign.toFixed(2)} ms + verify ${verify.toFixed(2)} ms = ${primitives.toFixed(2)} ms ` +
        `(${((primitives / perHandshake) * 100).toFixed(0)}% of the handshake; 4 KiB SHA-256 ${hashes.toFixed(3)} ms)`,
    );
    const hybrid = timePer(() => handshake(makePair(clientContext(), server)), 3000);
    console.log(
      `default configuration (X25519MLKEM768 + X25519 shares, hybrid chosen): ${hybrid.toFixed(2)} ms → ${(1000 / hybrid).toFixed(0)} handshakes/s`,
    );
    expect(perHandshake).toBeGreaterThan(0);
  });

  for (const suite of ['TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384']) {
    it(`bulk throughput ${suite}`, () => {
      const client = clientContext();
      client.setCiphersuites(suite);
      const pair = makePair(client, serverContext());
      handshake(pair);
      const chunk = new Uint8Array(1 << 20);
      const total = 16;
      const t0 = performance.now();
      for (let i = 0; i < total; i++) {
        pair.client.write(chunk);
        transfer(pair);
        expect(readAll(pair.server).length).toBe(chunk.length);
      }
      const seconds = (performance.now() - t0) / 1000;
      const aeadName = suite.includes('CHACHA')
        ? 'CHACHA20-POLY1305'
        : suite.includes('128')
          ? 'AES-128-GCM'
          : 'AES-256-GCM';
      const aead = defaultProvider.aead(aeadName).create(new Uint8Array(aeadName === 'AES-128-GCM' ? 16 : 32));
      const record = new Uint8Array(1 << 14);
      const nonce = new Uint8Array(12);
      const aad = new Uint8Array(5);
      const sealed = aead.seal(nonce, record, aad);
      const perRecord = timePer(() => {
        aead.seal(nonce, record, aad);
        aead.open(nonce, sealed, aad);
      });
      const rawMBs = (2 * record.length) / 1e6 / (perRecord / 1000);
      console.log(
        `${suite}: ${(total / seconds).toFixed(1)} MB/s through SSLObject (encrypt + decrypt), raw AEAD (seal + open of 16 KiB records) ${(rawMBs / 2).toFixed(1)} MB/s`,
      );
    });
  }
});
