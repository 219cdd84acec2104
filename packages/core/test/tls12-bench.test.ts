/**
 * TLS 1.2 measurements for issue #6's note (run with SANSTLS_BENCH=1; skipped otherwise): in-memory
 * full and resumed (ticket, session ID) handshakes per second, and bulk MB/s through SSLObject per suite.
 */
import { OP_NO_TICKET, type SSLContext, type SSLSession, TLSVersion } from '@sanstls/core';
import { describe, expect, it } from 'vitest';
import { clientContext, handshake, makePair, readAll, serverContext, transfer } from './helpers/tls-pair.js';

const enabled = process.env.SANSTLS_BENCH === '1';
if (!enabled) console.log('tls12-bench: skipped (set SANSTLS_BENCH=1 to measure)');

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

function client12(suite: string): SSLContext {
  const ctx = clientContext();
  ctx.maximumVersion = TLSVersion.TLSv1_2;
  ctx.setGroups(['x25519']);
  ctx.setCiphers(suite);
  return ctx;
}

function connect(client: SSLContext, server: SSLContext, session?: SSLSession) {
  const pair = makePair(client, server);
  if (session !== undefined)
    pair.client = client.wrapBio(pair.clientIn, pair.clientOut, { serverHostname: 'localhost', session });
  handshake(pair);
  return pair;
}

describe.skipIf(!enabled)('TLS 1.2 benchmarks', () => {
  it('full and resumed handshakes per second (X25519 + ECDSA P-256, ChaCha20-Poly1305)', () => {
    const client = client12('ECDHE-ECDSA-CHACHA20-POLY1305');
    const server = serverContext(['ec256']);
    const full = timePer(() => connect(client, server));
    const ticketSession = connect(client, server).client.session!;
    const ticket = timePer(() => expect(connect(client, server, ticketSession).client.sessionReused).toBe(true));
    const idServer = serverContext(['ec256']);
    idServer.options |= OP_NO_TICKET;
    const idSession = connect(client, idServer).client.session!;
    const byId = timePer(() => expect(connect(client, idServer, idSession).client.sessionReused).toBe(true));
    const rsaClient = client12('ECDHE-RSA-AES128-GCM-SHA256');
    const rsaServer = serverContext(['rsa2048']);
    const rsa = timePer(() => connect(rsaClient, rsaServer));
    console.log(
      `TLS 1.2 full handshake (X25519 + ECDSA P-256): ${full.toFixed(2)} ms → ${(1000 / full).toFixed(0)}/s; ` +
        `resumed by ticket: ${ticket.toFixed(2)} ms → ${(1000 / ticket).toFixed(0)}/s; ` +
        `resumed by session ID: ${byId.toFixed(2)} ms → ${(1000 / byId).toFixed(0)}/s; ` +
        `full with RSA-2048: ${rsa.toFixed(2)} ms → ${(1000 / rsa).toFixed(0)}/s`,
    );
  });

  for (const suite of [
    'ECDHE-ECDSA-CHACHA20-POLY1305',
    'ECDHE-ECDSA-AES128-GCM-SHA256',
    'ECDHE-ECDSA-AES256-GCM-SHA384',
  ]) {
    it(`bulk throughput ${suite}`, () => {
      const pair = connect(client12(suite), serverContext(['ec256']));
      const chunk = new Uint8Array(1 << 20);
      const oneMiB = () => {
        pair.client.write(chunk);
        transfer(pair);
        expect(readAll(pair.server).length).toBe(chunk.length);
      };
      // timePer warms up once and then runs ≥ 3 s: without the warm-up the first MiBs measure the JIT.
      for (let i = 0; i < 8; i++) oneMiB();
      const ms = timePer(oneMiB);
      console.log(`TLS 1.2 ${suite}: ${(1000 / ms).toFixed(1)} MB/s (1 MiB writes, seal + open through SSLObject)`);
    });
  }
});
