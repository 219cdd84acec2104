/**
 * Resource limits (issue #10, src/limits.ts): each limit has a safe default, can be configured per context
 * or per connection, and is enforced — the connection fails with an SSLError carrying its alert, or (for
 * the buffers) stops consuming input until the application reads, never growing past the bound.
 */
import {
  DEFAULT_LIMITS,
  LOCAL_FAILURE_ALERT,
  MemoryBIO,
  PROTOCOL_TLS_CLIENT,
  resolveLimits,
  SSLContext,
  SSLError,
  type TlsLimits,
} from '@sanstls/core';
import { describe, expect, it } from 'vitest';
import { encodeSignatureAlgorithms } from '../src/codec/extensions.js';
import { encodeCertificateRequestTls13, encodeNewSessionTicketTls13 } from '../src/codec/messages.js';
import { encodeAlert } from '../src/codec/record.js';
import {
  chain,
  connected,
  flushEngine,
  inject,
  makePair,
  type Pair,
  readError,
  run,
  transfer,
} from './helpers/limit-pair.js';

/** `side` failed: its peer receives the fatal alert it queued (RFC 8446 §6). */
function lastAlertSent(p: Pair, side: 'client' | 'server'): void {
  const other = side === 'client' ? 'server' : 'client';
  transfer(p);
  let received: unknown;
  try {
    p[other].read(1 << 20);
  } catch (e) {
    received = e;
  }
  expect(received).toBeInstanceOf(SSLError);
  expect((received as SSLError).alertReceived).toBe(true);
}

function expectReason(e: unknown, reason: keyof typeof LOCAL_FAILURE_ALERT): void {
  expect(e).toBeInstanceOf(SSLError);
  expect((e as SSLError).reason).toBe(reason);
}

describe('resolveLimits', () => {
  it('defaults every limit, applies overrides in order, and rejects unknown names and non-positive values', () => {
    expect(resolveLimits()).toEqual(DEFAULT_LIMITS);
    const r = resolveLimits({ maxEmptyRecords: 5 }, { maxEmptyRecords: 7, maxChainLength: 3 }, undefined);
    expect(r.maxEmptyRecords).toBe(7);
    expect(r.maxChainLength).toBe(3);
    expect(r.maxBufferedPlaintext).toBe(DEFAULT_LIMITS.maxBufferedPlaintext);
    expect(() => resolveLimits({ maxEmptyRecords: 0 })).toThrow(RangeError);
    expect(() => resolveLimits({ maxEmptyRecords: 1.5 })).toThrow(RangeError);
    expect(() => resolveLimits({ nope: 1 } as unknown as Partial<TlsLimits>)).toThrow(TypeError);
  });

  it('the context limits reach the connection, and a per-connection override wins', () => {
    const ctx = new SSLContext(PROTOCOL_TLS_CLIENT);
    ctx.limits = { maxEmptyRecords: 3 };
    const obj = ctx.wrapBio(new MemoryBIO(), new MemoryBIO(), { serverHostname: 'x' });
    expect(obj.connection.limits.maxEmptyRecords).toBe(3);
    expect(obj.connection.limits.maxWarningAlerts).toBe(DEFAULT_LIMITS.maxWarningAlerts);
  });
});

describe('handshake message size', () => {
  it('a ClientHello larger than the server limit fails with EXCESSIVE_MESSAGE_SIZE (illegal_parameter)', () => {
    const p = makePair({ serverLimits: { maxHandshakeMessageSize: 100 } });
    const errors = run(p);
    expectReason(errors.server, 'EXCESSIVE_MESSAGE_SIZE');
    expect((errors.client as SSLError).alertReceived).toBe(true);
    expect((errors.client as SSLError).reason).toMatch(/ILLEGAL_PARAMETER/);
    // The default admits it.
    connected();
  });

  it('the Certificate message (the chain’s total size) has its own limit', () => {
    const p = makePair({ clientLimits: { maxCertificateMessageSize: 600 } });
    expectReason(run(p).client, 'EXCESSIVE_MESSAGE_SIZE');
    connected({ clientLimits: { maxCertificateMessageSize: 4096 } });
  });
});

describe('certificate chain length', () => {
  for (const version of ['1.3', '1.2'] as const) {
    it(`TLS ${version}: more certificates than maxChainLength fail before path building; at the limit they pass`, () => {
      const intermediate = chain.intermediate!.pem;
      const long = chain.leaf.pem + intermediate.repeat(3); // 4 certificates
      expectReason(
        run(makePair({ version, serverChainPem: long, clientLimits: { maxChainLength: 3 } })).client,
        'EXCESSIVE_MESSAGE_SIZE',
      );
      connected({ version, serverChainPem: long, clientLimits: { maxChainLength: 4 } });
    });
  }
});

describe('extension count', () => {
  it('a ClientHello with more extensions than the server allows is refused', () => {
    const p = makePair({ serverLimits: { maxExtensions: 4 } });
    const errors = run(p);
    expectReason(errors.server, 'EXCESSIVE_MESSAGE_SIZE');
    expect((errors.server as SSLError).message).toMatch(/extensions exceeds the limit of 4/);
  });
});

describe('floods after the handshake', () => {
  for (const version of ['1.3', '1.2'] as const) {
    it(`TLS ${version}: consecutive empty records beyond maxEmptyRecords fail; data resets the count`, () => {
      const p = connected({ version, serverLimits: { maxEmptyRecords: 3 } });
      for (let i = 0; i < 3; i++) inject(p, 'client', 23, new Uint8Array(0));
      expect(readError(p.server)).toBeUndefined();
      p.client.write('x');
      transfer(p);
      expect(new TextDecoder().decode(p.server.read(10))).toBe('x');
      for (let i = 0; i < 3; i++) inject(p, 'client', 23, new Uint8Array(0));
      expect(readError(p.server)).toBeUndefined();
      inject(p, 'client', 23, new Uint8Array(0));
      expectReason(readError(p.server), 'TOO_MANY_EMPTY_RECORDS');
      lastAlertSent(p, 'server');
    });

    it(`TLS ${version}: warning alerts beyond maxWarningAlerts fail`, () => {
      const p = connected({ version, clientLimits: { maxWarningAlerts: 2 } });
      // TLS 1.3 has no warning alerts but user_canceled (§6.1), which is not fatal on its own.
      const warning = version === '1.3' ? encodeAlert(1, 90) : encodeAlert(1, 112);
      inject(p, 'server', 21, warning);
      inject(p, 'server', 21, warning);
      expect(readError(p.client)).toBeUndefined();
      inject(p, 'server', 21, warning);
      expectReason(readError(p.client), 'TOO_MANY_WARN_ALERTS');
    });

    it(`TLS ${version}: a ChangeCipherSpec after the handshake is unexpected_message (no CCS flood)`, () => {
      const p = connected({ version });
      inject(p, 'server', 20, Uint8Array.of(1));
      const e = readError(p.client);
      expect(e).toBeInstanceOf(SSLError);
      expect(LOCAL_FAILURE_ALERT[e!.reason as keyof typeof LOCAL_FAILURE_ALERT]).toBe(10);
    });
  }

  it('TLS 1.3: a second ChangeCipherSpec during the handshake is UNEXPECTED_CCS_MESSAGE (§5)', () => {
    const p = makePair();
    try {
      p.client.doHandshake();
    } catch {}
    const ccs = Uint8Array.of(20, 3, 3, 0, 1, 1);
    const hello = p.clientOut.read();
    p.serverIn.write(hello);
    p.serverIn.write(ccs);
    p.serverIn.write(ccs);
    let error: unknown;
    try {
      p.server.doHandshake();
    } catch (e) {
      error = e;
    }
    expectReason(error, 'UNEXPECTED_CCS_MESSAGE');
  });

  it('TLS 1.3: KeyUpdates beyond maxKeyUpdatesWithoutData fail; application data resets the count', () => {
    const p = connected({ clientLimits: { maxKeyUpdatesWithoutData: 2 } });
    // Real KeyUpdates: the server's keys move on with each, so the client must follow each one.
    const updates = (n: number) => {
      for (let i = 0; i < n; i++) expect(p.server.connection.keyUpdate(false)).toBe(true);
      flushEngine(p, 'server');
    };
    updates(2);
    expect(readError(p.client)).toBeUndefined();
    p.server.write('after two updates');
    transfer(p);
    expect(new TextDecoder().decode(p.client.read(100))).toBe('after two updates');
    updates(3);
    expectReason(readError(p.client), 'TOO_MANY_KEY_UPDATES');
  });

  it('TLS 1.3: a flood of update_requested KeyUpdates gets at most the limit of answers', () => {
    const p = connected({ clientLimits: { maxKeyUpdatesWithoutData: 4 } });
    for (let i = 0; i < 10; i++) p.server.connection.keyUpdate(true);
    flushEngine(p, 'server');
    expectReason(readError(p.client), 'TOO_MANY_KEY_UPDATES');
    // Four answering KeyUpdate records and the alert (each under 5 + 1 + 1 + 16 + padding bytes).
    expect(p.clientOut.pending).toBeGreaterThan(4 * 27);
    expect(p.clientOut.pending).toBeLessThan(6 * 27);
  });

  it('TLS 1.3: NewSessionTickets past maxTicketsPerConnection are dropped', () => {
    const p = connected({ clientLimits: { maxTicketsPerConnection: 2 } });
    const before = p.client.connection.ticketsReceived;
    const nst = encodeNewSessionTicketTls13({
      ticketLifetime: 3600,
      ticketAgeAdd: 1,
      ticketNonce: Uint8Array.of(1),
      ticket: new Uint8Array(32).fill(7),
      extensions: [],
    });
    for (let i = 0; i < 5; i++) inject(p, 'server', 22, nst);
    expect(readError(p.client)).toBeUndefined();
    expect(p.client.connection.ticketsReceived - before).toBe(5);
    expect(p.client.connection.ticketsDropped).toBe(before + 5 - 2);
  });
});

describe('post-handshake authentication requests', () => {
  it('TLS 1.3: a client answers at most maxPostHandshakeAuthRequests CertificateRequests (each costs a signature)', () => {
    const p = connected({ clientPostHandshakeAuth: true, clientLimits: { maxPostHandshakeAuthRequests: 2 } });
    const request = (n: number) =>
      encodeCertificateRequestTls13({
        certificateRequestContext: Uint8Array.of(n),
        extensions: [{ type: 13, body: encodeSignatureAlgorithms([0x0403]) }], // ecdsa_secp256r1_sha256
      });
    const before = p.clientOut.pending;
    inject(p, 'server', 22, request(1));
    inject(p, 'server', 22, request(2));
    expect(readError(p.client)).toBeUndefined();
    expect(p.clientOut.pending).toBeGreaterThan(before); // two answers (Certificate, CertificateVerify, Finished)
    inject(p, 'server', 22, request(3));
    const e = readError(p.client);
    expectReason(e, 'UNEXPECTED_MESSAGE');
    expect(e!.message).toMatch(/too many post-handshake CertificateRequests/);
  });
});

describe('plaintext buffered while the application does not read', () => {
  for (const version of ['1.3', '1.2'] as const) {
    it(`TLS ${version}: the engine stops opening records at maxBufferedPlaintext and resumes as the application reads`, () => {
      const limit = 20_000;
      const p = connected({ version, serverLimits: { maxBufferedPlaintext: limit } });
      const data = new Uint8Array(300_000).map((_, i) => (i * 31) & 0xff);
      p.client.write(data);
      transfer(p);
      const conn = p.server.connection;
      const received: Uint8Array[] = [];
      let total = 0;
      let maxBuffered = 0;
      while (total < data.length) {
        const chunk = p.server.read(4096);
        // After each read, what the engine holds decrypted stays within one record of the limit.
        maxBuffered = Math.max(maxBuffered, conn.pendingApplicationData);
        received.push(chunk);
        total += chunk.length;
      }
      expect(maxBuffered).toBeLessThan(limit + 16_384);
      expect(maxBuffered).toBeGreaterThan(0);
      const joined = new Uint8Array(total);
      let at = 0;
      for (const c of received) {
        joined.set(c, at);
        at += c.length;
      }
      expect(joined).toEqual(data);
    });
  }

  it('SSLObject feeds a stalled engine at most receiveRoom bytes; the rest waits in the incoming BIO', () => {
    const p = connected({ serverLimits: { maxBufferedPlaintext: 16_384, maxBufferedInput: 40_000 } });
    p.client.write(new Uint8Array(200_000));
    transfer(p);
    expect(p.server.read(1).length).toBe(1);
    const conn = p.server.connection;
    expect(conn.pendingApplicationData).toBeLessThan(16_384 * 2);
    expect(40_000 - conn.receiveRoom).toBeLessThanOrEqual(40_000);
    expect(p.serverIn.pending).toBeGreaterThan(100_000); // not pulled into the engine
    let total = 1;
    while (total < 200_000) total += p.server.read(65_536).length;
    expect(total).toBe(200_000);
    expect(p.serverIn.pending).toBe(0);
  });

  it('an adapter that pushes past maxBufferedInput into a stalled engine fails the connection (internal_error)', () => {
    const p = connected({ serverLimits: { maxBufferedPlaintext: 16_384, maxBufferedInput: 40_000 } });
    p.client.write(new Uint8Array(200_000));
    const wire = p.clientOut.read();
    const conn = p.server.connection;
    conn.receive(wire.subarray(0, 30_000));
    conn.process(); // decrypts up to the plaintext limit, then stalls
    expect(conn.state.kind).toBe('Open');
    conn.receive(wire.subarray(30_000, 30_000 + conn.receiveRoom)); // exactly the room: accepted
    expect(conn.state.kind).toBe('Open');
    conn.receive(wire.subarray(30_000, 30_001));
    expect(conn.state.kind).toBe('Failed');
    expectReason(conn.error, 'INTERNAL_ERROR');
  });
});
