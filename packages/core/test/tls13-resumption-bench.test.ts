/**
 * TLS 1.3 measurements for issue #7's note (run with SANSTLS_BENCH=1; skipped otherwise): in-memory full
 * handshake vs resumed (PSK with psk_dhe_ke, tickets) vs resumed with 0-RTT, X25519 + ECDSA P-256,
 * TLS_AES_128_GCM_SHA256. A "handshake" here is both sides, the client reading its tickets included.
 */
import { type CryptoProvider, type SSLContext, type SSLSession, TLSVersion } from '@sanstls/core';
import { describe, expect, it } from 'vitest';
import { nodeCryptoProvider } from '../../node-adapter/src/node-crypto.js';
import { clientContext, handshake, makePair, readAll, serverContext, transfer } from './helpers/tls-pair.js';

const enabled = process.env.SANSTLS_BENCH === '1';
if (!enabled) console.log('tls13-resumption-bench: skipped (set SANSTLS_BENCH=1 to measure)');

function timePer(fn: () => void, minMs = 3000): number {
  fn();
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < minMs) {
    fn();
    n++;
  }
  return (performance.now() - t0) / n;
}

function connect(client: SSLContext, server: SSLContext, session?: SSLSession, early?: string) {
  const pair = makePair(client, server);
  if (session !== undefined) {
    pair.client = client.wrapBio(pair.clientIn, pair.clientOut, { serverHostname: 'localhost', session });
    if (early !== undefined) pair.client.writeEarlyData(early);
  }
  handshake(pair);
  pair.server.write('x');
  transfer(pair);
  readAll(pair.client); // the tickets arrive with the server's first data
  return pair;
}

describe.skipIf(!enabled)('TLS 1.3 resumption benchmarks', () => {
  for (const [name, provider] of [
    ['noble (pure JS)', undefined],
    ['node:crypto', nodeCryptoProvider],
  ] as [string, CryptoProvider | undefined][]) {
    it(`full vs resumed handshakes (X25519 + ECDSA P-256, AES-128-GCM), ${name}`, () => {
      const options = provider === undefined ? {} : { cryptoProvider: provider };
      const client = clientContext(options);
      client.minimumVersion = TLSVersion.TLSv1_3;
      client.setGroups(['x25519']);
      client.setCiphersuites('TLS_AES_128_GCM_SHA256');
      const server = serverContext(['ec256'], options);
      server.numTickets = 1;
      server.maxEarlyData = 16384;
      const full = timePer(() => connect(client, server));
      const session = connect(client, server).client.session!;
      const resumed = timePer(() => expect(connect(client, server, session).client.sessionReused).toBe(true));
      const zeroRtt = timePer(() => {
        // A fresh ticket each time: 0-RTT is single-use per ticket.
        const fresh = connect(client, server, session).client.session!;
        const pair = connect(client, server, fresh, 'GET / HTTP/1.1\r\n\r\n');
        expect(pair.client.earlyDataStatus).toBe('accepted');
      });
      console.log(
        `TLS 1.3 (${name}) full handshake (X25519 + ECDSA P-256): ${full.toFixed(2)} ms → ${(1000 / full).toFixed(0)}/s; ` +
          `resumed (psk_dhe_ke, X25519): ${resumed.toFixed(2)} ms → ${(1000 / resumed).toFixed(0)}/s; ` +
          `resumption for a fresh ticket + resumed 0-RTT handshake: ${zeroRtt.toFixed(2)} ms per pair`,
      );
    });
  }
});
