/**
 * TLS 1.3 resumption in memory (RFC 8446 §2.2, §4.2.9, §4.2.11, §4.6.1): tickets after the handshake,
 * PSK resumption with psk_dhe_ke (psk_ke only when allowed), binders, ticket expiry and key rotation
 * with an injected clock, OP_NO_TICKET / numTickets, sessions across contexts, and a negative test per
 * check (bad binder → decrypt_error, unknown or expired ticket → full handshake, pre_shared_key not
 * last → illegal_parameter, missing psk_key_exchange_modes → missing_extension, selected identity out
 * of range → illegal_parameter).
 */
import {
  CERT_REQUIRED,
  OP_NO_TICKET,
  type SSLContext,
  type SSLError,
  type SSLSession,
  TLSVersion,
} from '@sanstls/core';
import { concatBytes } from '@sanstls/x509';
import { describe, expect, it } from 'vitest';
import { ExtensionType } from '../src/codec/enums.js';
import {
  encodePreSharedKeyServerHello,
  encodePskKeyExchangeModes,
  findExtension,
  parsePreSharedKeyClientHello,
} from '../src/codec/extensions.js';
import {
  encodeClientHello,
  encodeServerHello,
  type ParsedClientHello,
  parseClientHello,
  parseServerHello,
  pskBindersOffset,
  replacePskBinders,
} from '../src/codec/messages.js';
import { Tls13KeySchedule } from '../src/crypto/keyschedule.js';
import {
  clientContext,
  connectPair as connect,
  handshakeUntilError,
  makePair,
  type Pair,
  record,
  serverContext,
  splitRecords,
  testPki,
} from './helpers/tls-pair.js';

const pairWith = (
  clientCtx: SSLContext,
  serverCtx: SSLContext,
  session?: SSLSession | null,
  host = 'localhost',
): Pair => makePair(clientCtx, serverCtx, host, session ?? null);

function step(obj: Pair['client']): void {
  try {
    obj.doHandshake();
  } catch {
    // WantRead
  }
}

/**
 * Rewrites the ClientHello of the client's first flight (a plaintext handshake record; the rest of the
 * flight — change_cipher_spec, 0-RTT records — passes through). `rebind` recomputes nothing: an edited
 * hello keeps the client's binder, so edits after the binders list are caught by the binder check.
 */
function editClientHello(
  pair: Pair,
  edit: (hello: ParsedClientHello, raw: Uint8Array) => Uint8Array | undefined,
): void {
  step(pair.client);
  const records = splitRecords(pair.clientOut.read());
  const first = records[0]!;
  const body = first.body.subarray(4);
  const hello = parseClientHello(body, first.body);
  const replaced = edit(hello, first.body) ?? encodeClientHello(hello);
  pair.clientOut.write(concatBytes([record(22, replaced), ...records.slice(1).map((r) => record(r.type, r.body))]));
}

/** Rewrites the ServerHello (the first message of the server's first record). */
function editServerHello(pair: Pair, edit: (messages: Uint8Array) => Uint8Array): void {
  step(pair.client);
  pair.serverIn.write(pair.clientOut.read());
  step(pair.server);
  const records = splitRecords(pair.serverOut.read());
  const first = records[0]!;
  const length = (first.body[1]! << 16) | (first.body[2]! << 8) | first.body[3]!;
  const sh = first.body.subarray(0, 4 + length);
  const rest = first.body.subarray(4 + length);
  const edited = concatBytes([edit(sh), rest]);
  pair.clientIn.write(concatBytes([record(22, edited), ...records.slice(1).map((r) => record(r.type, r.body))]));
  step(pair.client);
}

/**
 * Encodes an edited ClientHello with a binder that verifies (RFC 8446 §4.2.11.2), as a client holding
 * the session's PSK would: tests of what the server does past the binder check.
 */
function rebind(hello: ParsedClientHello, session: SSLSession, ctx: SSLContext): Uint8Array {
  const message = encodeClientHello(hello);
  const schedule = new Tls13KeySchedule(ctx.provider.hash('sha256'));
  const offset = pskBindersOffset(message)!;
  const early = schedule.earlySecret(session.tls13!.psk);
  const key = schedule.finishedKey(schedule.binderKey(early, 'resumption'));
  replacePskBinders(message, offset, [
    schedule.finishedVerifyData(key, schedule.hash.digest(message.subarray(0, offset))),
  ]);
  return message;
}

/** Runs the server on the client's (edited) first flight and returns its ServerHello. */
function serverHello(pair: Pair) {
  pair.serverIn.write(pair.clientOut.read());
  step(pair.server);
  const first = splitRecords(pair.serverOut.read())[0]!;
  const length = (first.body[1]! << 16) | (first.body[2]! << 8) | first.body[3]!;
  const sh = parseServerHello(first.body.subarray(4, 4 + length));
  if (sh.kind !== 'server_hello') throw new Error('expected a ServerHello');
  return sh;
}

function reasonOf(e: unknown): string | undefined {
  return (e as SSLError | undefined)?.reason;
}

/** A full handshake whose client session holds a ticket. */
function ticketSession(clientCtx: SSLContext, serverCtx: SSLContext): SSLSession {
  const pair = pairWith(clientCtx, serverCtx);
  connect(pair);
  const session = pair.client.session!;
  expect(session.hasTicket).toBe(true);
  return session;
}

function tls13Client(): SSLContext {
  const ctx = clientContext();
  ctx.minimumVersion = TLSVersion.TLSv1_3;
  return ctx;
}

/** A clock the test moves. */
function clock(start = Date.now()) {
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
    // Python's session_stats(): two resumptions are two hits.
    expect(serverCtx.sessionStats()).toMatchObject({ hits: 2, misses: 0 });
  });

  it('resumes after a HelloRetryRequest: the second ClientHello carries a fresh binder', () => {
    const clientCtx = tls13Client();
    const serverCtx = serverContext();
    const session = ticketSession(clientCtx, serverCtx);
    // The client's key share is for x25519, the server only takes secp256r1: HRR, then resumption.
    clientCtx.setGroups(['x25519', 'secp256r1']);
    serverCtx.setGroups(['secp256r1']);
    const pair = pairWith(clientCtx, serverCtx, session);
    connect(pair);
    expect(pair.server.connection.negotiated.helloRetried).toBe(true);
    expect(pair.client.sessionReused).toBe(true);
    expect(pair.server.sessionReused).toBe(true);
    expect(serverCtx.sessionStats().hits).toBe(1); // once, though both ClientHellos offered the ticket
  });

  it('psk_dhe_ke by default; psk_ke (no key share) only when both sides allow it', () => {
    const clientCtx = tls13Client();
    const serverCtx = serverContext();
    const session = ticketSession(clientCtx, serverCtx);
    const dhe = pairWith(clientCtx, serverCtx, session);
    editClientHello(dhe, (hello) => {
      const modes = findExtension(hello.extensions, ExtensionType.psk_key_exchange_modes)!;
      expect([...modes.body]).toEqual([1, 1]); // one mode: psk_dhe_ke
    });
    connect(dhe);
    expect(dhe.client.sessionReused).toBe(true);
    expect(dhe.client.connection.negotiated.group).not.toBeNull();

    clientCtx.allowPskKe = true;
    // The server does not allow psk_ke: the client's psk_dhe_ke is used.
    const both = pairWith(clientCtx, serverCtx, dhe.client.session);
    connect(both);
    expect(both.client.sessionReused).toBe(true);
    expect(both.server.connection.negotiated.group).not.toBeNull();

    // A client offering only psk_ke to a server that does not allow it gets a full handshake.
    const keOnly = pairWith(clientCtx, serverCtx, both.client.session);
    editClientHello(keOnly, (hello) => {
      findExtension(hello.extensions, ExtensionType.psk_key_exchange_modes)!.body = encodePskKeyExchangeModes([0]);
      return rebind(hello, both.client.session!, clientCtx);
    });
    // (The client's own transcript has its original hello, so only the server's answer is checked.)
    const sh = serverHello(keOnly);
    expect(findExtension(sh.extensions, ExtensionType.pre_shared_key)).toBeUndefined();
    expect(findExtension(sh.extensions, ExtensionType.key_share)).toBeDefined();
  });

  it('psk_ke resumption without (EC)DHE when the server allows it (§4.2.9)', () => {
    const clientCtx = tls13Client();
    const serverCtx = serverContext();
    const session = ticketSession(clientCtx, serverCtx);
    clientCtx.allowPskKe = true;
    serverCtx.allowPskKe = true;
    const pair = pairWith(clientCtx, serverCtx, session);
    editClientHello(pair, (hello) => {
      expect([...findExtension(hello.extensions, ExtensionType.psk_key_exchange_modes)!.body]).toEqual([2, 1, 0]);
      findExtension(hello.extensions, ExtensionType.psk_key_exchange_modes)!.body = encodePskKeyExchangeModes([0]);
      return rebind(hello, session, clientCtx);
    });
    // No key exchange: the ServerHello selects the PSK and carries no key_share.
    const sh = serverHello(pair);
    expect(findExtension(sh.extensions, ExtensionType.pre_shared_key)).toBeDefined();
    expect(findExtension(sh.extensions, ExtensionType.key_share)).toBeUndefined();
    expect(pair.server.connection.negotiated.group).toBeNull();
    // A client that did not allow psk_ke refuses a ServerHello without key_share.
    clientCtx.allowPskKe = false;
    const refusing = pairWith(clientCtx, serverCtx, session);
    editServerHello(refusing, (raw) => {
      const hello = parseServerHello(raw.subarray(4));
      if (hello.kind !== 'server_hello') throw new Error('expected ServerHello');
      hello.extensions = hello.extensions.filter((e) => e.type !== ExtensionType.key_share);
      return encodeServerHello(hello);
    });
    expect(() => refusing.client.doHandshake()).toThrow(/no key_share/);
  });

  it('a tampered binder aborts with decrypt_error (BINDER_DOES_NOT_VERIFY)', () => {
    const clientCtx = tls13Client();
    const serverCtx = serverContext();
    const session = ticketSession(clientCtx, serverCtx);
    const pair = pairWith(clientCtx, serverCtx, session);
    editClientHello(pair, (_hello, raw) => {
      const copy = raw.slice();
      copy[copy.length - 1]! ^= 0x01; // the last byte of the (only) binder
      return copy;
    });
    const errors = handshakeUntilError(pair);
    expect(reasonOf(errors.server)).toBe('BINDER_DOES_NOT_VERIFY');
    expect(reasonOf(errors.client)).toBe('TLSV1_ALERT_DECRYPT_ERROR');
  });

  it('a binder computed over a different ClientHello fails too (fields before the binders are covered)', () => {
    const clientCtx = tls13Client();
    const serverCtx = serverContext();
    const session = ticketSession(clientCtx, serverCtx);
    const pair = pairWith(clientCtx, serverCtx, session);
    editClientHello(pair, (hello) => {
      hello.random = new Uint8Array(32).fill(7);
    });
    const errors = handshakeUntilError(pair);
    expect(reasonOf(errors.server)).toBe('BINDER_DOES_NOT_VERIFY');
  });

  it('pre_shared_key not last → illegal_parameter', () => {
    const clientCtx = tls13Client();
    const serverCtx = serverContext();
    const session = ticketSession(clientCtx, serverCtx);
    const pair = pairWith(clientCtx, serverCtx, session);
    editClientHello(pair, (hello) => {
      const psk = hello.extensions.pop()!;
      expect(psk.type).toBe(ExtensionType.pre_shared_key);
      hello.extensions.splice(1, 0, psk);
    });
    const errors = handshakeUntilError(pair);
    expect((errors.server as SSLError).message).toMatch(/pre_shared_key is not the last extension/);
    expect(reasonOf(errors.client)).toMatch(/ALERT_ILLEGAL_PARAMETER/);
  });

  it('pre_shared_key without psk_key_exchange_modes → missing_extension', () => {
    const clientCtx = tls13Client();
    const serverCtx = serverContext();
    const session = ticketSession(clientCtx, serverCtx);
    const pair = pairWith(clientCtx, serverCtx, session);
    editClientHello(pair, (hello) => {
      hello.extensions = hello.extensions.filter((e) => e.type !== ExtensionType.psk_key_exchange_modes);
    });
    const errors = handshakeUntilError(pair);
    expect(reasonOf(errors.server)).toBe('MISSING_EXTENSION');
    expect(reasonOf(errors.client)).toBe('TLSV13_ALERT_MISSING_EXTENSION');
  });

  it('an unknown ticket (not ours, damaged) gives a full handshake', () => {
    const clientCtx = tls13Client();
    const session = ticketSession(clientCtx, serverContext());
    // Another server context has other ticket keys.
    const otherCtx = serverContext();
    const other = pairWith(clientCtx, otherCtx, session);
    connect(other);
    expect(otherCtx.sessionStats()).toMatchObject({ hits: 0, misses: 1 });
    expect(other.client.sessionReused).toBe(false);
    expect(other.server.sessionReused).toBe(false);
    expect(other.client.getPeerCert()).not.toEqual({});
  });

  it('the server refuses an expired ticket; the client stops offering one past its lifetime', () => {
    const serverClock = clock();
    const clientClock = clock();
    const clientCtx = clientContext({ now: clientClock.now });
    clientCtx.minimumVersion = TLSVersion.TLSv1_3;
    const serverCtx = serverContext(['ec256'], { now: serverClock.now });
    serverCtx.tls12.sessionTimeout = 600;
    const session = ticketSession(clientCtx, serverCtx);
    expect(session.ticketLifetimeHint).toBe(600);
    // Server clock past the lifetime, client clock not: offered, refused, full handshake.
    serverClock.c.now += 601_000;
    const refused = pairWith(clientCtx, serverCtx, session);
    let offered = false;
    editClientHello(refused, (hello) => {
      offered = findExtension(hello.extensions, ExtensionType.pre_shared_key) !== undefined;
    });
    connect(refused);
    expect(offered).toBe(true);
    expect(refused.server.sessionReused).toBe(false);
    // Client clock past the lifetime too: not offered at all.
    clientClock.c.now += 601_000;
    const stale = pairWith(clientCtx, serverCtx, session);
    editClientHello(stale, (hello) => {
      expect(findExtension(hello.extensions, ExtensionType.pre_shared_key)).toBeUndefined();
    });
    connect(stale);
    expect(stale.client.sessionReused).toBe(false);
  });

  it('ticket keys rotate: the previous key still opens tickets, an older one does not', () => {
    const serverClock = clock();
    const clientCtx = tls13Client();
    const serverCtx = serverContext(['ec256'], { now: serverClock.now });
    serverCtx.tls12.ticketKeyRotation = 60;
    serverCtx.tls12.sessionTimeout = 100_000;
    const session = ticketSession(clientCtx, serverCtx);
    const firstKey = serverCtx.tls12.ticketKeyNames[0]!;
    // One rotation later the ticket's key is the previous one: still accepted.
    serverClock.c.now += 61_000;
    const rotated = pairWith(clientCtx, serverCtx, session);
    connect(rotated);
    expect(rotated.server.sessionReused).toBe(true);
    expect(serverCtx.tls12.ticketKeyNames[1]).toEqual(firstKey);
    // Two rotations later it is retired: full handshake.
    serverClock.c.now += 121_000;
    const retired = pairWith(clientCtx, serverCtx, session);
    connect(retired);
    expect(retired.server.sessionReused).toBe(false);
  });

  it('TLS 1.3 and TLS 1.2 tickets share the key ring but never open as each other', () => {
    const serverCtx = serverContext();
    const client12 = clientContext();
    client12.maximumVersion = TLSVersion.TLSv1_2;
    const s12 = ticketSession(client12, serverCtx);
    expect(s12.tls12).toBeDefined();
    const s13 = ticketSession(tls13Client(), serverCtx);
    expect(serverCtx.tls12.ticketKeyNames.length).toBe(1);
    // A TLS 1.3 client handed a TLS 1.2 session offers no PSK; a 1.2 client handed a 1.3 session, no ticket.
    const a = pairWith(tls13Client(), serverCtx, s12);
    connect(a);
    expect(a.server.sessionReused).toBe(false);
    const b = pairWith(client12, serverCtx, s13);
    connect(b);
    expect(b.server.sessionReused).toBe(false);
  });

  it('OP_NO_TICKET and numTickets control how many tickets the server sends', () => {
    const clientCtx = tls13Client();
    const serverCtx = serverContext();
    serverCtx.numTickets = 3;
    const three = pairWith(clientCtx, serverCtx);
    connect(three);
    expect(three.client.connection.ticketsReceived).toBe(3);
    serverCtx.options |= OP_NO_TICKET;
    const none = pairWith(clientCtx, serverCtx);
    connect(none);
    expect(none.client.connection.ticketsReceived).toBe(0);
    expect(none.client.session!.hasTicket).toBe(false);
  });

  it('a session resumes from another client context (sessions are plain data)', () => {
    const serverCtx = serverContext();
    const session = ticketSession(tls13Client(), serverCtx);
    const pair = pairWith(tls13Client(), serverCtx, session);
    connect(pair);
    expect(pair.client.sessionReused).toBe(true);
  });

  it('a different server name does not resume (RFC 8446 §4.6.1), nor a ticket without the required client certificate', () => {
    const clientCtx = tls13Client();
    const serverCtx = serverContext();
    const session = ticketSession(clientCtx, serverCtx);
    // The client does not offer a ticket for another name.
    const otherName = pairWith(clientCtx, serverCtx, session, '127.0.0.1');
    connect(otherName);
    expect(otherName.client.sessionReused).toBe(false);
    // The session has no client certificate; a server now requiring one does a full handshake.
    serverCtx.verifyMode = CERT_REQUIRED;
    serverCtx.loadVerifyLocations({ cadata: testPki().caPem });
    clientCtx.loadCertChain(testPki().client.certPem, testPki().client.keyPem);
    const pair = pairWith(clientCtx, serverCtx, session);
    connect(pair);
    expect(pair.server.sessionReused).toBe(false);
    expect(pair.server.getPeerCert()).not.toBeNull();
    // That full handshake's ticket carries the client certificate: it resumes, and the server knows the client.
    const resumed = pairWith(clientCtx, serverCtx, pair.client.session);
    connect(resumed);
    expect(resumed.server.sessionReused).toBe(true);
    expect(resumed.server.getPeerCert(true)).toEqual(pair.server.getPeerCert(true));
  });

  it('the client refuses a selected_identity it did not offer, and a PSK answer it did not ask for', () => {
    const clientCtx = tls13Client();
    const serverCtx = serverContext();
    const session = ticketSession(clientCtx, serverCtx);
    const pair = pairWith(clientCtx, serverCtx, session);
    editServerHello(pair, (sh) => {
      const hello = parseServerHello(sh.subarray(4));
      if (hello.kind !== 'server_hello') throw new Error('expected ServerHello');
      const ext = findExtension(hello.extensions, ExtensionType.pre_shared_key)!;
      ext.body = encodePreSharedKeyServerHello(1);
      return encodeServerHello(hello);
    });
    expect(() => pair.client.doHandshake()).toThrow(/PSK identity we did not offer/);
    expect((pair.client.connection.error as SSLError).reason).toBe('BAD_PSK_IDENTITY');

    const noOffer = pairWith(clientCtx, serverCtx);
    editServerHello(noOffer, (sh) => {
      const hello = parseServerHello(sh.subarray(4));
      if (hello.kind !== 'server_hello') throw new Error('expected ServerHello');
      hello.extensions.push({ type: ExtensionType.pre_shared_key, body: encodePreSharedKeyServerHello(0) });
      return encodeServerHello(hello);
    });
    expect(() => noOffer.client.doHandshake()).toThrow(/unsolicited pre_shared_key/);
  });

  it('tickets are parsed and counted: the identity is the ticket, the age is obfuscated with age_add', () => {
    const c = clock();
    const clientCtx = clientContext({ now: c.now });
    clientCtx.minimumVersion = TLSVersion.TLSv1_3;
    const serverCtx = serverContext(['ec256'], { now: c.now });
    const session = ticketSession(clientCtx, serverCtx);
    c.c.now += 5_000;
    const pair = pairWith(clientCtx, serverCtx, session);
    editClientHello(pair, (hello) => {
      const offer = parsePreSharedKeyClientHello(findExtension(hello.extensions, ExtensionType.pre_shared_key)!.body);
      expect(offer.identities.length).toBe(1);
      expect(offer.identities[0]!.identity).toEqual(session.tls13!.ticket);
      expect((offer.identities[0]!.obfuscatedTicketAge - session.tls13!.ageAdd) >>> 0).toBe(5_000);
    });
    connect(pair);
    expect(pair.server.sessionReused).toBe(true);
  });
});

describe('sessions as bytes (exportSession / importSession)', () => {
  it('a TLS 1.3 session survives a round trip and resumes; TLS 1.2 too; garbage is refused', async () => {
    const { exportSession, importSession } = await import('@sanstls/core');
    const serverCtx = serverContext();
    const session13 = ticketSession(tls13Client(), serverCtx);
    const copy = importSession(exportSession(session13))!;
    expect(copy.tls13).toEqual(session13.tls13);
    expect(copy.id).toEqual(session13.id);
    const pair = pairWith(tls13Client(), serverCtx, copy);
    connect(pair);
    expect(pair.client.sessionReused).toBe(true);
    const client12 = clientContext();
    client12.maximumVersion = TLSVersion.TLSv1_2;
    const session12 = ticketSession(client12, serverCtx);
    const copy12 = importSession(exportSession(session12))!;
    expect(copy12.tls12).toEqual(session12.tls12);
    const pair12 = pairWith(client12, serverCtx, copy12);
    connect(pair12);
    expect(pair12.client.sessionReused).toBe(true);
    expect(importSession(new Uint8Array([1, 2, 3]))).toBeUndefined();
    const truncated = exportSession(session13).subarray(0, 40);
    expect(importSession(truncated)).toBeUndefined();
  });
});

describe("Python's session setter", () => {
  it('sets the session to resume before the handshake; refuses on the server and afterwards', () => {
    const clientCtx = tls13Client();
    const serverCtx = serverContext();
    const session = ticketSession(clientCtx, serverCtx);
    const pair = pairWith(clientCtx, serverCtx);
    pair.client.session = session;
    connect(pair);
    expect(pair.client.sessionReused).toBe(true);
    expect(() => {
      pair.client.session = session;
    }).toThrow(/Cannot set session after handshake/);
    expect(() => {
      pair.server.session = session;
    }).toThrow(/Cannot set session for server-side SSLSocket/);
  });
});
