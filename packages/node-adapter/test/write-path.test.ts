// The node:tls-shaped socket's write path (issue #9): writes queued while one is in flight are taken together
// (_writev) and joined into full records, records leave in vectored transport writes, and the bytes arrive in
// order — watched on the wire through a TCP relay that counts the client's records.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CERT_NONE,
  connect,
  createServer,
  nodeCryptoProvider,
  PROTOCOL_TLS_CLIENT,
  PROTOCOL_TLS_SERVER,
  SSLContext,
  type TLSSocket,
} from '../src/index.js';
import { type Fixtures, makeFixtures } from './helpers/fixtures.js';

let fx: Fixtures;
beforeAll(() => {
  fx = makeFixtures(['ecdsa']);
});
afterAll(() => fx?.cleanup());

/** A relay in front of `port` that counts the TLS records the client sends, by content type. */
async function recordCountingRelay(port: number) {
  const counts = new Map<number, number>();
  const relay = net.createServer((inbound) => {
    const outbound = net.connect({ host: '127.0.0.1', port });
    let pending = Buffer.alloc(0);
    inbound.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 5) {
        const length = pending.readUInt16BE(3);
        if (pending.length < 5 + length) break;
        counts.set(pending[0]!, (counts.get(pending[0]!) ?? 0) + 1);
        pending = pending.subarray(5 + length);
      }
      outbound.write(chunk);
    });
    outbound.pipe(inbound);
    inbound.on('end', () => outbound.end());
    for (const s of [inbound, outbound]) s.on('error', () => {});
  });
  relay.listen(0, '127.0.0.1');
  await once(relay, 'listening');
  return { port: (relay.address() as net.AddressInfo).port, counts, close: () => relay.close() };
}

describe('TLSSocket write path', () => {
  for (const provider of ['noble', 'node:crypto'] as const) {
    it(`corked small writes become full records, large ones stay whole, all bytes in order (${provider})`, async () => {
      const options = provider === 'noble' ? {} : { cryptoProvider: nodeCryptoProvider };
      const chain = fx.chains.ecdsa;
      const serverContext = new SSLContext(PROTOCOL_TLS_SERVER, options);
      serverContext.loadCertChain(chain.serverCert, chain.serverKey);
      const received: Buffer[] = [];
      let receivedLength = 0;
      let expected = Number.POSITIVE_INFINITY;
      let resolveAll: () => void = () => {};
      const all = new Promise<void>((resolve) => {
        resolveAll = resolve;
      });
      const server = createServer({ context: serverContext }, (socket) => {
        socket.on('data', (c: Buffer) => {
          received.push(c);
          receivedLength += c.length;
          if (receivedLength >= expected) resolveAll();
        });
        socket.on('error', () => {});
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const relay = await recordCountingRelay((server.address() as net.AddressInfo).port);
      const clientContext = new SSLContext(PROTOCOL_TLS_CLIENT, options);
      clientContext.checkHostname = false;
      clientContext.verifyMode = CERT_NONE;
      const client: TLSSocket = connect({
        host: '127.0.0.1',
        port: relay.port,
        context: clientContext,
        rejectUnauthorized: false,
      });
      try {
        await once(client, 'secureConnect');
        const before = relay.counts.get(23) ?? 0;
        // 600 small writes (13–300 bytes), then three of 40,000 bytes, all queued at once.
        const small = Array.from({ length: 600 }, (_, i) => randomBytes(13 + ((i * 37) % 288)));
        const large = [randomBytes(40_000), randomBytes(40_000), randomBytes(40_000)];
        const sent = Buffer.concat([...small, ...large]);
        expected = sent.length;
        client.cork();
        for (const b of [...small, ...large]) client.write(b);
        client.uncork();
        await all;
        expect(Buffer.concat(received).equals(sent)).toBe(true);
        // Without joining, the small writes alone would be 600 records; joined they fill ≈ 6 records
        // (plus record boundaries where a run meets a large write), and each large write is 3 records.
        const smallTotal = small.reduce((n, b) => n + b.length, 0);
        const records = (relay.counts.get(23) ?? 0) - before;
        expect(records).toBeGreaterThanOrEqual(Math.ceil(smallTotal / 16384) + 9);
        expect(records).toBeLessThanOrEqual(Math.ceil(smallTotal / 16384) + 9 + 3);
      } finally {
        client.destroy();
        server.close();
        relay.close();
      }
    });
  }
});
