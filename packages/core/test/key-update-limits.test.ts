/**
 * KeyUpdate on request and at the AEAD usage limits (RFC 8446 §4.6.3, §5.5): a configurable per-key
 * record budget (`keyUpdateAfterRecords`) makes the automatic updates observable, the default limits
 * follow §5.5 per suite (AES-GCM 2^24.5 records, ChaCha20-Poly1305 none before our 2^48 counter bound),
 * and the peer reads every byte across the key changes. Interop: OpenSSL follows our automatic updates.
 */
import { OP_NO_TLSv1_3, SSLError, type SSLObject, TLSVersion } from '@sanstls/core';
import { describe, expect, it } from 'vitest';
import { AES_GCM_RECORD_LIMIT, HARD_SEQUENCE_LIMIT, keyUpdateRecordLimit } from '../src/record/protection.js';
import { connectedClient, interopScope, opensslClient, opensslServer, wwwPage } from './helpers/openssl-interop.js';
import { listen, type PumpedConnection } from './helpers/socket-pump.js';
import {
  clientContext,
  handshake,
  makePair,
  type Pair,
  readAll,
  serverContext,
  transfer,
} from './helpers/tls-pair.js';
import { hasTool } from './helpers/tls12-peers.js';

const SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];

function pattern(n: number, seed = 7): Uint8Array {
  return new Uint8Array(n).map((_, i) => (i * 31 + seed) & 0xff);
}

/** Moves bytes until both sides are quiet, reading application data on both (KeyUpdate answers). */
function settle(pair: Pair): { client: Uint8Array; server: Uint8Array } {
  const got = { client: [] as Uint8Array[], server: [] as Uint8Array[] };
  for (let i = 0; i < 10; i++) {
    const moved = transfer(pair);
    got.server.push(readAll(pair.server));
    got.client.push(readAll(pair.client));
    if (moved === 0 && pair.clientOut.pending === 0 && pair.serverOut.pending === 0) break;
  }
  const join = (parts: Uint8Array[]) => new Uint8Array(parts.flatMap((p) => [...p]));
  return { client: join(got.client), server: join(got.server) };
}

/**
 * KeyUpdates a side makes sending `records` records under a budget of `limit`, starting at write
 * sequence `start` (a server's first key already carried its NewSessionTickets).
 */
function expectedUpdates(start: number, limit: number, records: number): number {
  let sequence = start;
  let updates = 0;
  for (let i = 0; i < records; i++) {
    if (sequence >= limit) {
      updates++;
      sequence = 0;
    }
    sequence++;
  }
  return updates;
}

/** The record sequence numbers of a side's current keys (to start near a limit without sending 2^24 records). */
function keys(obj: SSLObject): { writeKey: { sequence: number }; readKey: { sequence: number } } {
  return (obj.connection as unknown as { record: { writeKey: { sequence: number }; readKey: { sequence: number } } })
    .record;
}

describe('automatic KeyUpdate at a configured record budget', () => {
  for (const suite of SUITES) {
    it(`${suite}: a 72 KiB write under a 2-record budget updates the key every 2 records; the peer reads it all`, () => {
      const client = clientContext();
      client.setCiphersuites(suite);
      client.keyUpdateAfterRecords = 2;
      const pair = makePair(client, serverContext());
      handshake(pair);
      const data = pattern(72 * 1024);
      pair.client.write(data);
      const { server } = settle(pair);
      expect(server).toEqual(data);
      // 72 KiB = 5 records of at most 2^14 bytes: updates before records 3 and 5.
      expect(pair.client.connection.keyUpdatesSent).toBe(2);
      expect(pair.server.connection.keyUpdatesReceived).toBe(2);
      expect(pair.server.connection.keyUpdatesSent).toBe(0); // update_not_requested: no answer
      // The reverse direction still uses the first server key and works.
      pair.server.write('reply');
      expect(new TextDecoder().decode(settle(pair).client)).toBe('reply');
    });
  }

  it('counts records, not writes: 30 one-byte writes under a 3-record budget make 9 updates', () => {
    const server = serverContext();
    server.keyUpdateAfterRecords = 3;
    const pair = makePair(clientContext(), server);
    handshake(pair);
    const start = keys(pair.server).writeKey.sequence;
    for (let i = 0; i < 30; i++) pair.server.write(Uint8Array.of(i));
    const { client } = settle(pair);
    expect([...client]).toEqual([...Array(30).keys()]);
    expect(expectedUpdates(0, 3, 30)).toBe(9);
    expect(pair.server.connection.keyUpdatesSent).toBe(expectedUpdates(start, 3, 30));
    expect(pair.client.connection.keyUpdatesReceived).toBe(pair.server.connection.keyUpdatesSent);
  });

  it('a budget of one record updates before every record after the first, in both directions', () => {
    const client = clientContext();
    client.keyUpdateAfterRecords = 1;
    const server = serverContext();
    server.keyUpdateAfterRecords = 1;
    const pair = makePair(client, server);
    handshake(pair);
    const serverStart = keys(pair.server).writeKey.sequence;
    for (let i = 0; i < 5; i++) {
      pair.client.write(`c${i}`);
      pair.server.write(`s${i}`);
    }
    const got = settle(pair);
    expect(new TextDecoder().decode(got.server)).toBe('c0c1c2c3c4');
    expect(new TextDecoder().decode(got.client)).toBe('s0s1s2s3s4');
    expect(pair.client.connection.keyUpdatesSent).toBe(4);
    expect(pair.server.connection.keyUpdatesSent).toBe(expectedUpdates(serverStart, 1, 5));
  });

  it('an update requested by the peer resets the budget of the answering side', () => {
    const client = clientContext();
    client.keyUpdateAfterRecords = 2;
    const pair = makePair(client, serverContext());
    handshake(pair);
    pair.client.write('a'); // record 1 under key 0
    pair.server.keyUpdate(true); // asks the client to update
    const first = settle(pair);
    expect(new TextDecoder().decode(first.server)).toBe('a');
    expect(pair.client.connection.keyUpdatesSent).toBe(1); // the answer: key 1, budget restarts
    pair.client.write('b');
    pair.client.write('c');
    expect(new TextDecoder().decode(settle(pair).server)).toBe('bc');
    expect(pair.client.connection.keyUpdatesSent).toBe(1); // 2 records fit key 1's budget
    pair.client.write('d');
    expect(new TextDecoder().decode(settle(pair).server)).toBe('d');
    expect(pair.client.connection.keyUpdatesSent).toBe(2);
  });

  it('the setting is validated', () => {
    const ctx = clientContext();
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      expect(() => {
        ctx.keyUpdateAfterRecords = bad;
      }).toThrow(SSLError);
    }
    ctx.keyUpdateAfterRecords = 10;
    ctx.keyUpdateAfterRecords = null;
    expect(ctx.keyUpdateAfterRecords).toBeNull();
  });

  it('TLS 1.2 has no KeyUpdate: the budget does not apply and data flows', () => {
    const client = clientContext();
    client.maximumVersion = TLSVersion.TLSv1_2;
    client.keyUpdateAfterRecords = 1;
    const server = serverContext();
    server.options |= OP_NO_TLSv1_3;
    const pair = makePair(client, server);
    handshake(pair);
    expect(pair.client.version()).toBe('TLSv1.2');
    const data = pattern(50_000);
    pair.client.write(data);
    expect(settle(pair).server).toEqual(data);
    expect(pair.client.connection.keyUpdatesSent).toBe(0);
  });
});

describe('default limits (RFC 8446 §5.5)', () => {
  it('AES-GCM: 2^24.5 records per key; ChaCha20-Poly1305: only near our 2^48 sequence bound', () => {
    expect(AES_GCM_RECORD_LIMIT).toBe(23_726_566);
    expect(keyUpdateRecordLimit('AES-128-GCM')).toBe(AES_GCM_RECORD_LIMIT);
    expect(keyUpdateRecordLimit('AES-256-GCM')).toBe(AES_GCM_RECORD_LIMIT);
    expect(keyUpdateRecordLimit('CHACHA20-POLY1305')).toBeGreaterThan(2 ** 47);
    expect(keyUpdateRecordLimit('CHACHA20-POLY1305')).toBeLessThan(HARD_SEQUENCE_LIMIT);
  });

  for (const [suite, updates] of [
    ['TLS_AES_128_GCM_SHA256', 1],
    ['TLS_CHACHA20_POLY1305_SHA256', 0],
  ] as const) {
    it(`${suite}: ${updates ? 'updates' : 'does not update'} when the write key reaches record 2^24.5`, () => {
      const client = clientContext();
      client.setCiphersuites(suite);
      const pair = makePair(client, serverContext());
      handshake(pair);
      // Both ends jump to two records before the AES-GCM limit (same nonces on both sides).
      keys(pair.client).writeKey.sequence = AES_GCM_RECORD_LIMIT - 2;
      keys(pair.server).readKey.sequence = AES_GCM_RECORD_LIMIT - 2;
      const data = pattern(4 * 16384);
      pair.client.write(data);
      expect(settle(pair).server).toEqual(data);
      expect(pair.client.connection.keyUpdatesSent).toBe(updates);
      expect(keys(pair.client).writeKey.sequence).toBe(updates ? 2 : AES_GCM_RECORD_LIMIT + 2);
    });
  }

  it('the hard sequence bound fails the connection instead of reusing a nonce (§5.3)', () => {
    const client = clientContext();
    client.setCiphersuites('TLS_CHACHA20_POLY1305_SHA256');
    client.keyUpdateAfterRecords = HARD_SEQUENCE_LIMIT + 10; // beyond the bound: no update in time
    const pair = makePair(client, serverContext());
    handshake(pair);
    keys(pair.client).writeKey.sequence = HARD_SEQUENCE_LIMIT;
    expect(() => pair.client.write('x')).toThrow(/sequence number limit/);
  });
});

// ---------------------------------------------------------------------------------------------
// Interop: OpenSSL reads across our automatic updates.

const haveOpenssl = hasTool('openssl');
if (!haveOpenssl) console.log('key-update-limits: interop skipped, the openssl CLI is not installed');

const scope = interopScope();

describe.skipIf(!haveOpenssl)('interop: automatic KeyUpdates with OpenSSL 3', () => {
  it('s_server -www answers a request written under a one-record budget (a KeyUpdate before each record)', async () => {
    const { port } = await opensslServer(scope, ['-tls1_3', '-www']);
    const ctx = clientContext();
    ctx.keyUpdateAfterRecords = 1;
    const conn = await connectedClient(scope, port, ctx);
    const page = await wwwPage(conn, ['GET / ', 'HTTP/1.0\r\n', 'X-Pad: ', 'x'.repeat(1000), '\r\n', '\r\n']);
    expect(page).toContain('TLSv1.3');
    expect(conn.obj.connection.keyUpdatesSent).toBe(5); // six records, one key each
  });

  it('s_server answers our update_requested KeyUpdate with its own, then serves the page under its new key', async () => {
    const { port } = await opensslServer(scope, ['-tls1_3', '-www']);
    const conn = await connectedClient(scope, port, clientContext());
    conn.obj.keyUpdate(true);
    const page = await wwwPage(conn);
    expect(page).toContain('TLSv1.3');
    expect(conn.obj.connection.keyUpdatesSent).toBe(1);
    expect(conn.obj.connection.keyUpdatesReceived).toBe(1);
  });

  it('s_client reads an echo sent under a one-record budget', async () => {
    const ctx = serverContext();
    ctx.keyUpdateAfterRecords = 1;
    const connections: PumpedConnection[] = [];
    let start = 0;
    const server = await listen(ctx, (conn) => {
      connections.push(conn);
      let answered = false;
      conn.onData = () => {
        const data = conn.received();
        if (!answered && data[data.length - 1] === 0x0a) {
          // 'echo:', 20,001 bytes and '|END': 1 + 2 + 1 records, a KeyUpdate before each (the first
          // key carried the NewSessionTickets).
          answered = true;
          start = keys(conn.obj).writeKey.sequence;
          conn.write('echo:');
          conn.write(data);
          conn.write('|END');
        }
      };
    });
    scope.cleanups.push(server.close);
    const child = opensslClient(scope, server.port, ['-tls1_3'], `${'k'.repeat(20_000)}\n`);
    await child.waitFor(/\|END/, 15_000);
    expect(child.output().split('k').length - 1).toBeGreaterThanOrEqual(20_000);
    expect(connections[0]!.obj.connection.keyUpdatesSent).toBe(expectedUpdates(start, 1, 4));
  });
});
