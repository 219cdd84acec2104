/**
 * TLS 1.3 0-RTT in memory (RFC 8446 §2.3, §4.2.10, §4.5, §8): the client sends early data when its
 * session allows it and learns whether it was accepted; the server accepts only with `maxEarlyData`,
 * the ticket's suite and ALPN, a plausible ticket age (§8.3) and an unused ticket (§8.1 single-use
 * tickets); rejected early data is skipped by the server and handed back to the client application;
 * more than max_early_data_size is unexpected_message; a replayed ClientHello gets no 0-RTT.
 */
import { type SSLContext, type SSLError, type SSLSession, TLSVersion } from '@sanstls/core';
import { describe, expect, it } from 'vitest';
import {
  clientContext,
  connectPair as connect,
  handshake,
  handshakeUntilError,
  makePair,
  type Pair,
  readAll,
  serverContext,
  transfer,
} from './helpers/tls-pair.js';

const text = (b: Uint8Array | null) => (b === null ? null : new TextDecoder().decode(b));

const pairWith = (clientCtx: SSLContext, serverCtx: SSLContext, session?: SSLSession | null): Pair =>
  makePair(clientCtx, serverCtx, 'localhost', session ?? null);

function step(obj: Pair['client']): void {
  try {
    obj.doHandshake();
  } catch {
    // WantRead
  }
}

function contexts(maxEarlyData = 1024, now?: () => number) {
  const clientCtx = clientContext(now === undefined ? {} : { now });
  clientCtx.minimumVersion = TLSVersion.TLSv1_3;
  const serverCtx = serverContext(['ec256'], now === undefined ? {} : { now });
  serverCtx.maxEarlyData = maxEarlyData;
  return { clientCtx, serverCtx };
}

function earlySession(clientCtx: SSLContext, serverCtx: SSLContext): SSLSession {
  const pair = pairWith(clientCtx, serverCtx);
  connect(pair);
  return pair.client.session!;
}

describe('0-RTT early data', () => {
  it('is accepted: the server reads it before the handshake completes; both sides say so', () => {
    const { clientCtx, serverCtx } = contexts();
    const session = earlySession(clientCtx, serverCtx);
    expect(session.tls13!.maxEarlyData).toBe(1024);
    const pair = pairWith(clientCtx, serverCtx, session);
    expect(pair.client.writeEarlyData('GET /early')).toBe(10);
    step(pair.client); // ClientHello + early data in one flight
    expect(pair.client.earlyDataStatus).toBe('offered');
    transfer(pair);
    step(pair.server);
    // The server has the early data now, one round trip before the client's Finished.
    expect(pair.server.connection.handshakeComplete).toBe(false);
    expect(text(pair.server.readEarlyData())).toBe('GET /early');
    expect(pair.server.earlyDataStatus).toBe('accepted');
    expect(pair.server.earlyDataReceived).toBe(10);
    handshake(pair);
    expect(pair.client.earlyDataStatus).toBe('accepted');
    expect(pair.client.takeRejectedEarlyData()).toBeNull();
    expect(pair.client.sessionReused).toBe(true);
    pair.client.write(' after');
    transfer(pair);
    expect(text(readAll(pair.server))).toBe(' after');
  });

  it('early data not read with readEarlyData() is the start of the ordinary stream', () => {
    const { clientCtx, serverCtx } = contexts();
    const session = earlySession(clientCtx, serverCtx);
    const pair = pairWith(clientCtx, serverCtx, session);
    pair.client.writeEarlyData('early+');
    handshake(pair);
    pair.client.write('late');
    transfer(pair);
    expect(text(readAll(pair.server))).toBe('early+late');
    expect(pair.server.earlyDataReceived).toBe(6);
  });

  it('takes at most the ticket’s max_early_data_size; no early data without a ticket allowing it', () => {
    const { clientCtx, serverCtx } = contexts(16);
    const session = earlySession(clientCtx, serverCtx);
    const pair = pairWith(clientCtx, serverCtx, session);
    expect(pair.client.writeEarlyData('0123456789abcdefOVERFLOW')).toBe(16);
    expect(pair.client.writeEarlyData('more')).toBe(0);
    handshake(pair);
    expect(text(readAll(pair.server))).toBe('0123456789abcdef');
    // A server without 0-RTT issues tickets without early_data: nothing is taken.
    const plain = contexts(0);
    const noEarly = pairWith(plain.clientCtx, plain.serverCtx, earlySession(plain.clientCtx, plain.serverCtx));
    expect(noEarly.client.writeEarlyData('x')).toBe(0);
    // Nor without a session, or once the handshake is under way without 0-RTT.
    expect(pairWith(clientCtx, serverCtx).client.writeEarlyData('x')).toBe(0);
  });

  it('rejected by a server that no longer accepts 0-RTT: skipped there, handed back to the client', () => {
    const { clientCtx, serverCtx } = contexts();
    const session = earlySession(clientCtx, serverCtx);
    serverCtx.maxEarlyData = 0;
    const pair = pairWith(clientCtx, serverCtx, session);
    pair.client.writeEarlyData('not idempotent');
    handshake(pair);
    expect(pair.client.sessionReused).toBe(true); // resumption itself succeeded
    expect(pair.client.earlyDataStatus).toBe('rejected');
    expect(pair.server.earlyDataStatus).toBe('rejected');
    expect(text(pair.client.takeRejectedEarlyData())).toBe('not idempotent');
    expect(pair.client.takeRejectedEarlyData()).toBeNull(); // once
    pair.client.write('resent');
    transfer(pair);
    expect(text(readAll(pair.server))).toBe('resent');
    expect(pair.server.earlyDataReceived).toBe(0);
  });

  it('rejected when the server does not resume (unknown ticket): skipped under the handshake key', () => {
    const { clientCtx, serverCtx } = contexts();
    const session = earlySession(clientCtx, serverCtx);
    const other = contexts().serverCtx; // other ticket keys
    const pair = pairWith(clientCtx, other, session);
    pair.client.writeEarlyData('lost?');
    handshake(pair);
    expect(pair.client.sessionReused).toBe(false);
    expect(pair.client.earlyDataStatus).toBe('rejected');
    expect(text(pair.client.takeRejectedEarlyData())).toBe('lost?');
    pair.client.write('ok');
    transfer(pair);
    expect(text(readAll(pair.server))).toBe('ok');
  });

  it('rejected after a HelloRetryRequest (plaintext 0-RTT records skipped until the second ClientHello)', () => {
    const { clientCtx, serverCtx } = contexts();
    const session = earlySession(clientCtx, serverCtx);
    clientCtx.setGroups(['x25519', 'secp256r1']);
    serverCtx.setGroups(['secp256r1']);
    const pair = pairWith(clientCtx, serverCtx, session);
    pair.client.writeEarlyData('hrr');
    handshake(pair);
    expect(pair.server.connection.negotiated.helloRetried).toBe(true);
    expect(pair.client.sessionReused).toBe(true);
    expect(pair.client.earlyDataStatus).toBe('rejected');
    expect(text(pair.client.takeRejectedEarlyData())).toBe('hrr');
  });

  it('a replayed ClientHello resumes but gets no 0-RTT (single-use tickets, RFC 8446 §8.1)', () => {
    const { clientCtx, serverCtx } = contexts();
    const session = earlySession(clientCtx, serverCtx);
    const pair = pairWith(clientCtx, serverCtx, session);
    pair.client.writeEarlyData('transfer $100');
    step(pair.client);
    const firstFlight = pair.clientOut.read();
    pair.serverIn.write(firstFlight);
    step(pair.server);
    expect(text(pair.server.readEarlyData())).toBe('transfer $100');
    // An attacker replays the flight to another connection of the same server.
    const replay = pairWith(clientCtx, serverCtx);
    replay.serverIn.write(firstFlight);
    step(replay.server);
    expect(replay.server.connection.error).toBeNull();
    expect(replay.server.earlyDataStatus).toBe('rejected');
    expect(replay.server.readEarlyData()).toBeNull();
    expect(serverCtx.antiReplay.size).toBe(1);
  });

  it('a ticket age far from the server’s view rejects 0-RTT (RFC 8446 §8.3)', () => {
    const c = { now: Date.now() };
    const clientCtx = clientContext({ now: () => c.now + 60_000 }); // the client's clock runs a minute ahead
    clientCtx.minimumVersion = TLSVersion.TLSv1_3;
    const serverCtx = serverContext(['ec256'], { now: () => c.now });
    serverCtx.maxEarlyData = 1024;
    const session = earlySession(clientCtx, serverCtx);
    // Client receipt time was recorded by its own clock; make its clock jump back to provoke a skewed age.
    const shifted = clientContext({ now: () => c.now + 60_000 - 30_000 });
    shifted.minimumVersion = TLSVersion.TLSv1_3;
    const pair = pairWith(shifted, serverCtx, session);
    expect(pair.client.writeEarlyData('stale')).toBe(0); // the ticket looks 30 s younger than received: unusable
    // With an age that is merely too old (client 20 s late), the server refuses the early data.
    const late = clientContext({ now: () => c.now + 60_000 + 20_000 });
    late.minimumVersion = TLSVersion.TLSv1_3;
    const latePair = pairWith(late, serverCtx, session);
    expect(latePair.client.writeEarlyData('late')).toBe(4);
    handshake(latePair);
    expect(latePair.server.sessionReused).toBe(true);
    expect(latePair.server.earlyDataStatus).toBe('rejected');
    expect(text(latePair.client.takeRejectedEarlyData())).toBe('late');
  });

  it('a different ALPN protocol than the ticket’s rejects 0-RTT (RFC 8446 §4.2.10)', () => {
    const { clientCtx, serverCtx } = contexts();
    clientCtx.setAlpnProtocols(['h2', 'http/1.1']);
    serverCtx.setAlpnProtocols(['h2']);
    const session = earlySession(clientCtx, serverCtx);
    serverCtx.setAlpnProtocols(['http/1.1']);
    const pair = pairWith(clientCtx, serverCtx, session);
    pair.client.writeEarlyData('h2 frames');
    handshake(pair);
    expect(pair.client.selectedAlpnProtocol()).toBe('http/1.1');
    expect(pair.client.earlyDataStatus).toBe('rejected');
  });

  it('more early data than max_early_data_size → unexpected_message (TOO_MUCH_EARLY_DATA)', () => {
    const { clientCtx, serverCtx } = contexts(1024);
    const session = earlySession(clientCtx, serverCtx);
    serverCtx.maxEarlyData = 8; // the ticket still says 1024
    const pair = pairWith(clientCtx, serverCtx, session);
    pair.client.writeEarlyData('0123456789');
    const errors = handshakeUntilError(pair);
    expect((errors.server as SSLError).reason).toBe('TOO_MUCH_EARLY_DATA');
    expect((errors.client as SSLError).reason).toMatch(/UNEXPECTED_MESSAGE/);
  });

  it('early data written while the ClientHello is in flight goes out at once under the early key', () => {
    const { clientCtx, serverCtx } = contexts();
    const session = earlySession(clientCtx, serverCtx);
    const pair = pairWith(clientCtx, serverCtx, session);
    pair.client.writeEarlyData('a');
    step(pair.client);
    expect(pair.client.writeEarlyData('b')).toBe(1);
    handshake(pair);
    expect(pair.client.earlyDataStatus).toBe('accepted');
    expect(text(readAll(pair.server))).toBe('ab');
    expect(pair.client.writeEarlyData('c')).toBe(0); // the handshake is over
  });
});
