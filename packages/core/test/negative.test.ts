/**
 * Negative tests: every check of the engine fails with OpenSSL's reason on the side that detects it and
 * sends the RFC 8446 §6 alert the peer then reports. Messages are tampered with before encryption by
 * wrapping the sending connection's `sendHandshake`, so the record layer protects the bad message as a
 * real peer would. A property test feeds mutated flights and asserts only SSLError-family errors.
 */

import { MemoryBIO, SSLEOFError, SSLError, type SSLObject, SSLWantReadError } from '@sanstls/core';
import {
  ExtensionType,
  encodeClientHello,
  encodeServerHello,
  findExtension,
  HandshakeType,
  parseClientHello,
  parseServerHello,
  splitHandshake,
} from '@sanstls/core/codec';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  clientContext,
  handshake,
  handshakeUntilError,
  makePair,
  type Pair,
  serverContext,
  transfer,
} from './helpers/tls-pair.js';

type Tamper = (message: Uint8Array) => Uint8Array | Uint8Array[] | null;

/** Rewrites the handshake messages `obj` sends (null drops a message, an array sends several). */
function tamper(obj: SSLObject, fn: Tamper): void {
  const conn = obj.connection as unknown as { sendHandshake(m: Uint8Array, v?: number): void };
  const original = conn.sendHandshake.bind(conn);
  conn.sendHandshake = (message, version) => {
    const result = fn(message);
    if (result === null) return;
    for (const m of Array.isArray(result) ? result : [result]) original(m, version);
  };
}

function ofType(type: number, fn: Tamper): Tamper {
  return (m) => (m[0] === type ? fn(m) : m);
}

function flipLast(m: Uint8Array): Uint8Array {
  const copy = m.slice();
  copy[copy.length - 1]! ^= 1;
  return copy;
}

function reasons(errors: { client: unknown; server: unknown }): { client?: string; server?: string } {
  return {
    client: (errors.client as SSLError | undefined)?.reason,
    server: (errors.server as SSLError | undefined)?.reason,
  };
}

/** Runs until error, then lets the peer that did not fail yet read once (to surface a late alert). */
function failure(pair: Pair) {
  const errors = handshakeUntilError(pair);
  for (const side of ['client', 'server'] as const) {
    if (errors[side] !== undefined) continue;
    try {
      pair[side].read();
    } catch (e) {
      if (!(e instanceof SSLWantReadError)) errors[side] = e;
    }
  }
  for (const e of [errors.client, errors.server]) if (e !== undefined) expect(e).toBeInstanceOf(SSLError);
  return reasons(errors);
}

function freshPair(): Pair {
  return makePair(clientContext(), serverContext());
}

/** Both sides limited to TLS 1.3 (minimumVersion), so version checks do not fall back to TLS 1.2. */
function tls13OnlyPair(): Pair {
  const client = clientContext();
  const server = serverContext();
  client.minimumVersion = 0x0304;
  server.minimumVersion = 0x0304;
  return makePair(client, server);
}

describe('authentication checks', () => {
  it('bad server Finished → DIGEST_CHECK_FAILED / decrypt_error', () => {
    const pair = freshPair();
    tamper(pair.server, ofType(HandshakeType.finished, flipLast));
    expect(failure(pair)).toEqual({ client: 'DIGEST_CHECK_FAILED', server: 'TLSV1_ALERT_DECRYPT_ERROR' });
  });

  it('bad client Finished → DIGEST_CHECK_FAILED / decrypt_error', () => {
    const pair = freshPair();
    tamper(pair.client, ofType(HandshakeType.finished, flipLast));
    expect(failure(pair)).toEqual({ client: 'TLSV1_ALERT_DECRYPT_ERROR', server: 'DIGEST_CHECK_FAILED' });
  });

  it('Finished of the wrong length → decode_error', () => {
    const pair = freshPair();
    tamper(
      pair.server,
      ofType(HandshakeType.finished, () => Uint8Array.of(20, 0, 0, 4, 1, 2, 3, 4)),
    );
    expect(failure(pair)).toMatchObject({ server: 'TLSV1_ALERT_DECODE_ERROR' });
  });

  it('bad CertificateVerify signature → BAD_SIGNATURE / decrypt_error', () => {
    const pair = freshPair();
    tamper(pair.server, ofType(HandshakeType.certificate_verify, flipLast));
    expect(failure(pair)).toEqual({ client: 'BAD_SIGNATURE', server: 'TLSV1_ALERT_DECRYPT_ERROR' });
  });

  it('CertificateVerify with a scheme we did not offer → WRONG_SIGNATURE_TYPE / illegal_parameter', () => {
    const pair = freshPair();
    tamper(
      pair.server,
      ofType(HandshakeType.certificate_verify, (m) => {
        const copy = m.slice();
        copy[4] = 0x02; // ecdsa_sha1 (0x0203)
        copy[5] = 0x03;
        return copy;
      }),
    );
    expect(failure(pair)).toEqual({ client: 'WRONG_SIGNATURE_TYPE', server: 'SSLV3_ALERT_ILLEGAL_PARAMETER' });
  });

  it('empty server Certificate → NO_CERTIFICATES_RETURNED / decode_error', () => {
    const pair = freshPair();
    tamper(
      pair.server,
      ofType(HandshakeType.certificate, () => Uint8Array.of(11, 0, 0, 4, 0, 0, 0, 0)),
    );
    expect(failure(pair)).toEqual({ client: 'NO_CERTIFICATES_RETURNED', server: 'TLSV1_ALERT_DECODE_ERROR' });
  });

  it('garbage certificate → bad_certificate', () => {
    const pair = freshPair();
    tamper(
      pair.server,
      ofType(HandshakeType.certificate, () => Uint8Array.of(11, 0, 0, 10, 0, 0, 0, 6, 0, 0, 1, 0x30, 0, 0)),
    );
    expect(failure(pair).server).toBe('SSLV3_ALERT_BAD_CERTIFICATE');
  });
});

function editServerHello(edit: (sh: ReturnType<typeof parseServerHello> & { kind: 'server_hello' }) => void): Tamper {
  return ofType(HandshakeType.server_hello, (m) => {
    const sh = parseServerHello(splitHandshake(m).body);
    if (sh.kind !== 'server_hello') return m;
    const copy = { ...sh, extensions: sh.extensions.map((e) => ({ ...e, body: e.body.slice() })) };
    edit(copy);
    return encodeServerHello(copy);
  });
}

function editClientHello(edit: (ch: ReturnType<typeof parseClientHello>) => void): Tamper {
  return ofType(HandshakeType.client_hello, (m) => {
    const { body, raw } = splitHandshake(m);
    const ch = parseClientHello(body, raw);
    edit(ch);
    return encodeClientHello(ch);
  });
}

describe('hello checks', () => {
  it('key share for a group the client did not offer → WRONG_CURVE / illegal_parameter', () => {
    const pair = freshPair();
    tamper(
      pair.server,
      editServerHello((sh) => {
        const ks = findExtension(sh.extensions, ExtensionType.key_share)!;
        ks.body[0] = 0x00;
        ks.body[1] = 0x18; // secp384r1
      }),
    );
    expect(failure(pair)).toEqual({ client: 'WRONG_CURVE', server: 'SSLV3_ALERT_ILLEGAL_PARAMETER' });
  });

  it('ServerHello without key_share → missing_extension', () => {
    const pair = freshPair();
    tamper(
      pair.server,
      editServerHello((sh) => sh.extensions.splice(0, 1)),
    );
    expect(failure(pair)).toEqual({ client: 'MISSING_KEY_SHARE', server: 'TLSV13_ALERT_MISSING_EXTENSION' });
  });

  it('legacy_session_id_echo mismatch → INVALID_SESSION_ID', () => {
    const pair = freshPair();
    tamper(
      pair.server,
      editServerHello((sh) => (sh.legacySessionIdEcho = new Uint8Array(3))),
    );
    expect(failure(pair)).toEqual({ client: 'INVALID_SESSION_ID', server: 'SSLV3_ALERT_ILLEGAL_PARAMETER' });
  });

  it('a cipher suite we did not offer → WRONG_CIPHER_RETURNED', () => {
    const client = clientContext();
    client.setCiphersuites('TLS_AES_128_GCM_SHA256');
    const pair = makePair(client, serverContext());
    tamper(
      pair.server,
      editServerHello((sh) => (sh.cipherSuite = 0x1302)),
    );
    expect(failure(pair).client).toBe('WRONG_CIPHER_RETURNED');
  });

  it('an unsolicited ServerHello extension → unsupported_extension', () => {
    const pair = freshPair();
    tamper(
      pair.server,
      editServerHello((sh) => sh.extensions.push({ type: 0xff00, body: new Uint8Array(0) })),
    );
    expect(failure(pair)).toEqual({ client: 'UNSOLICITED_EXTENSION', server: 'TLSV1_ALERT_UNSUPPORTED_EXTENSION' });
  });

  it('a TLS 1.2 ServerHello with the downgrade sentinel → TLS13_DOWNGRADE; without → UNSUPPORTED_PROTOCOL', () => {
    let pair = freshPair();
    tamper(
      pair.server,
      editServerHello((sh) => {
        sh.extensions = [];
        sh.random = sh.random.slice();
        sh.random.set([0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01], 24);
      }),
    );
    expect(failure(pair).client).toBe('TLS13_DOWNGRADE');
    pair = tls13OnlyPair();
    tamper(
      pair.server,
      editServerHello((sh) => (sh.extensions = [])),
    );
    expect(failure(pair)).toMatchObject({ client: 'UNSUPPORTED_PROTOCOL', server: 'TLSV1_ALERT_PROTOCOL_VERSION' });
  });

  it('ClientHello without signature_algorithms → MISSING_SIGALGS_EXTENSION / missing_extension', () => {
    const pair = freshPair();
    tamper(
      pair.client,
      editClientHello(
        (ch) => (ch.extensions = ch.extensions.filter((e) => e.type !== ExtensionType.signature_algorithms)),
      ),
    );
    expect(failure(pair)).toEqual({ client: 'TLSV13_ALERT_MISSING_EXTENSION', server: 'MISSING_SIGALGS_EXTENSION' });
  });

  it('ClientHello without key_share → missing_extension', () => {
    const pair = freshPair();
    tamper(
      pair.client,
      editClientHello((ch) => (ch.extensions = ch.extensions.filter((e) => e.type !== ExtensionType.key_share))),
    );
    expect(failure(pair)).toEqual({ client: 'TLSV13_ALERT_MISSING_EXTENSION', server: 'MISSING_KEY_SHARE' });
  });

  it('ClientHello offering compression → illegal_parameter', () => {
    const pair = freshPair();
    tamper(
      pair.client,
      editClientHello((ch) => (ch.legacyCompressionMethods = [1, 0])),
    );
    expect(failure(pair)).toEqual({ client: 'SSLV3_ALERT_ILLEGAL_PARAMETER', server: 'INVALID_COMPRESSION_ALGORITHM' });
  });

  it('ClientHello without TLS 1.3 → protocol_version from a TLS 1.3-only server', () => {
    const pair = tls13OnlyPair();
    tamper(
      pair.client,
      editClientHello(
        (ch) => (ch.extensions = ch.extensions.filter((e) => e.type !== ExtensionType.supported_versions)),
      ),
    );
    expect(failure(pair)).toEqual({ client: 'TLSV1_ALERT_PROTOCOL_VERSION', server: 'UNSUPPORTED_PROTOCOL' });
  });

  it('an invalid X25519 key share → illegal_parameter', () => {
    const client = clientContext();
    client.setGroups(['x25519']);
    const pair = makePair(client, serverContext());
    tamper(
      pair.client,
      editClientHello((ch) => {
        const ks = findExtension(ch.extensions, ExtensionType.key_share)!;
        ks.body.fill(0, 6); // all-zero point: small order (RFC 8446 §7.4.2)
      }),
    );
    expect(failure(pair)).toEqual({ client: 'SSLV3_ALERT_ILLEGAL_PARAMETER', server: 'BAD_KEY_SHARE' });
  });

  it('a second HelloRetryRequest → unexpected_message', () => {
    const client = clientContext();
    client.setGroups(['x25519', 'secp256r1']);
    const server = serverContext();
    server.setGroups(['secp256r1']);
    const pair = makePair(client, server);
    let hrr: Uint8Array | undefined;
    tamper(
      pair.server,
      ofType(HandshakeType.server_hello, (m) => {
        if (hrr === undefined) hrr = m;
        else return hrr;
        return m;
      }),
    );
    expect(failure(pair)).toMatchObject({ client: 'UNEXPECTED_MESSAGE', server: 'SSLV3_ALERT_UNEXPECTED_MESSAGE' });
  });

  it('a second ClientHello that changed its random → illegal_parameter', () => {
    const client = clientContext();
    client.setGroups(['x25519', 'secp256r1']);
    const server = serverContext();
    server.setGroups(['secp256r1']);
    const pair = makePair(client, server);
    let count = 0;
    tamper(
      pair.client,
      editClientHello((ch) => {
        if (++count === 2) ch.random = new Uint8Array(32);
      }),
    );
    expect(failure(pair)).toEqual({ client: 'SSLV3_ALERT_ILLEGAL_PARAMETER', server: 'BAD_SECOND_CLIENT_HELLO' });
  });
});

describe('unexpected messages in each state', () => {
  const serverCases: [string, Tamper, string][] = [
    [
      'EncryptedExtensions in ExpectServerHello',
      ofType(HandshakeType.server_hello, (m) => [Uint8Array.of(8, 0, 0, 2, 0, 0), m]),
      'UNEXPECTED_MESSAGE',
    ],
    [
      'Certificate in ExpectEncryptedExtensions',
      ofType(HandshakeType.encrypted_extensions, () => null),
      'UNEXPECTED_MESSAGE',
    ],
    [
      'CertificateVerify in ExpectCertificateOrCertificateRequest',
      ofType(HandshakeType.certificate, () => null),
      'UNEXPECTED_MESSAGE',
    ],
    ['Finished in ExpectCertificateVerify', ofType(HandshakeType.certificate_verify, () => null), 'UNEXPECTED_MESSAGE'],
    ['EncryptedExtensions twice', ofType(HandshakeType.encrypted_extensions, (m) => [m, m]), 'UNEXPECTED_MESSAGE'],
    [
      'KeyUpdate during the handshake',
      ofType(HandshakeType.encrypted_extensions, (m) => [m, Uint8Array.of(24, 0, 0, 1, 0)]),
      'UNEXPECTED_MESSAGE',
    ],
  ];
  for (const [name, fn, reason] of serverCases) {
    it(`client: ${name}`, () => {
      const pair = freshPair();
      tamper(pair.server, fn);
      const r = failure(pair);
      expect(r.client).toBe(reason);
      expect(r.server).toBe('SSLV3_ALERT_UNEXPECTED_MESSAGE');
    });
  }

  const clientCases: [string, Tamper][] = [
    [
      'Certificate in ExpectClientFinished',
      ofType(HandshakeType.finished, (m) => [Uint8Array.of(11, 0, 0, 4, 0, 0, 0, 0), m]),
    ],
  ];
  for (const [name, fn] of clientCases) {
    it(`server: ${name}`, () => {
      const pair = freshPair();
      tamper(pair.client, fn);
      const r = failure(pair);
      expect(r.server).toBe('UNEXPECTED_MESSAGE');
      expect(r.client).toBe('SSLV3_ALERT_UNEXPECTED_MESSAGE');
    });
  }

  it('server: two Finished in one record → the key change is not on a record boundary', () => {
    const pair = freshPair();
    tamper(
      pair.client,
      ofType(HandshakeType.finished, (m) => [m, m]),
    );
    expect(failure(pair)).toEqual({ server: 'NOT_ON_RECORD_BOUNDARY', client: 'SSLV3_ALERT_UNEXPECTED_MESSAGE' });
  });

  it('server: a ClientHello after the handshake', () => {
    const pair = freshPair();
    handshake(pair);
    const conn = pair.client.connection as unknown as { sendHandshake(m: Uint8Array): void; flushHandshake(): void };
    conn.sendHandshake(Uint8Array.of(1, 0, 0, 0));
    conn.flushHandshake();
    pair.clientOut.write(pair.client.connection.takeOutgoing()!);
    transfer(pair);
    expect(() => pair.server.read()).toThrow(/UNEXPECTED_MESSAGE/);
  });
});

/** A server fed raw bytes: returns the error and the alert it sent in plaintext (if any). */
function rawServer(bytes: Uint8Array, eof = false): { error: unknown; alert: number | undefined } {
  const incoming = new MemoryBIO();
  const outgoing = new MemoryBIO();
  const server = serverContext().wrapBio(incoming, outgoing, { serverSide: true });
  incoming.write(bytes);
  if (eof) incoming.writeEof();
  let error: unknown;
  try {
    server.doHandshake();
  } catch (e) {
    error = e;
  }
  const out = outgoing.read();
  const alert = out.length >= 7 && out[0] === 21 ? out[6] : undefined;
  return { error, alert };
}

function clientHelloRecord(): Uint8Array {
  const pair = freshPair();
  try {
    pair.client.doHandshake();
  } catch {
    // WantRead
  }
  return pair.clientOut.read();
}

describe('record layer', () => {
  it('plaintext record longer than 2^14 → record_overflow', () => {
    const r = rawServer(Uint8Array.of(22, 3, 3, 0x40, 0x01));
    expect((r.error as SSLError).reason).toBe('PACKET_LENGTH_TOO_LONG');
    expect(r.alert).toBe(22);
  });

  it('truncated record then EOF → SSLEOFError, no alert', () => {
    const record = clientHelloRecord();
    const r = rawServer(record.subarray(0, 50), true);
    expect(r.error).toBeInstanceOf(SSLEOFError);
    expect(r.alert).toBeUndefined();
  });

  it('a truncated record without EOF waits (SSLWantReadError)', () => {
    expect(rawServer(clientHelloRecord().subarray(0, 50)).error).toBeInstanceOf(SSLWantReadError);
  });

  it('unknown content type → unexpected_message', () => {
    const r = rawServer(Uint8Array.of(22, 3, 1, 0, 1, 1, 99, 3, 3, 0, 1, 0));
    expect(r.error).toBeInstanceOf(SSLError);
    const r2 = rawServer(Uint8Array.of(99, 3, 3, 0, 1, 0));
    expect((r2.error as SSLError).reason).toBe('WRONG_RECORD_TYPE');
    expect(r2.alert).toBe(10);
  });

  it('an HTTP request → HTTP_REQUEST without alert; other garbage → WRONG_VERSION_NUMBER', () => {
    const http = rawServer(new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n'));
    expect((http.error as SSLError).reason).toBe('HTTP_REQUEST');
    expect(http.alert).toBeUndefined();
    const junk = rawServer(Uint8Array.of(22, 7, 7, 0, 4, 1, 2, 3, 4));
    expect((junk.error as SSLError).reason).toBe('WRONG_VERSION_NUMBER');
    expect(junk.alert).toBe(70);
  });

  it('application data before the handshake → unexpected_message', () => {
    const r = rawServer(Uint8Array.of(23, 3, 3, 0, 1, 0));
    expect((r.error as SSLError).reason).toBe('UNEXPECTED_RECORD');
    expect(r.alert).toBe(10);
  });

  it('change_cipher_spec before the ClientHello, with a wrong value, or twice → unexpected_message', () => {
    expect((rawServer(Uint8Array.of(20, 3, 3, 0, 1, 1)).error as SSLError).reason).toBe('UNEXPECTED_CCS_MESSAGE');
    const ch = clientHelloRecord();
    const bad = rawServer(new Uint8Array([...ch, 20, 3, 3, 0, 1, 2]));
    expect((bad.error as SSLError | undefined)?.reason ?? 'none').not.toBe('none');
  });

  it('empty handshake record → unexpected_message', () => {
    const r = rawServer(Uint8Array.of(22, 3, 3, 0, 0));
    expect((r.error as SSLError).reason).toBe('ZERO_LENGTH_HANDSHAKE_FRAGMENT');
    expect(r.alert).toBe(10);
  });

  it('a handshake header announcing 16 MiB → EXCESSIVE_MESSAGE_SIZE', () => {
    const r = rawServer(Uint8Array.of(22, 3, 3, 0, 4, 1, 0xff, 0xff, 0xff));
    expect((r.error as SSLError).reason).toBe('EXCESSIVE_MESSAGE_SIZE');
    expect(r.alert).toBe(47);
  });

  it('ClientHello followed by more handshake data in the same record → NOT_ON_RECORD_BOUNDARY', () => {
    const record = clientHelloRecord();
    const body = record.subarray(5);
    const joined = new Uint8Array([...body, 20, 0, 0, 0]);
    const r = rawServer(new Uint8Array([22, 3, 1, joined.length >> 8, joined.length & 0xff, ...joined]));
    expect((r.error as SSLError).reason).toBe('NOT_ON_RECORD_BOUNDARY');
  });

  it('a tampered protected record → bad_record_mac, and the error is sticky', () => {
    const pair = freshPair();
    handshake(pair);
    pair.client.write('data');
    const bytes = pair.clientOut.read();
    bytes[bytes.length - 1]! ^= 0x80;
    pair.serverIn.write(bytes);
    let first: unknown;
    try {
      pair.server.read();
    } catch (e) {
      first = e;
    }
    expect((first as SSLError).reason).toBe('DECRYPTION_FAILED_OR_BAD_RECORD_MAC');
    expect(() => pair.server.read()).toThrow(first as Error);
    transfer(pair);
    expect(() => pair.client.read()).toThrow(/SSLV3_ALERT_BAD_RECORD_MAC/);
  });

  it('a protected record longer than 2^14 + 256 → record_overflow', () => {
    const pair = freshPair();
    handshake(pair);
    const len = (1 << 14) + 257;
    pair.serverIn.write(new Uint8Array([23, 3, 3, len >> 8, len & 0xff, ...new Uint8Array(len)]));
    expect(() => pair.server.read()).toThrow(/PACKET_LENGTH_TOO_LONG/);
  });
});

describe('property: mutated input only raises SSLError-family errors', () => {
  it('mutated ClientHello records', () => {
    const record = clientHelloRecord();
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(record.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        fc.nat(record.length),
        (edits, cut) => {
          const bytes = record.slice(0, Math.max(cut, 6));
          for (const [at, value] of edits) if (at < bytes.length) bytes[at] = value;
          const { error } = rawServer(bytes);
          if (error !== undefined) expect(error).toBeInstanceOf(SSLError);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('mutated server flights', () => {
    const pair = freshPair();
    try {
      pair.client.doHandshake();
    } catch {
      // WantRead
    }
    const ch = pair.clientOut.read();
    pair.serverIn.write(ch);
    try {
      pair.server.doHandshake();
    } catch {
      // WantRead
    }
    const flight = pair.serverOut.read();
    fc.assert(
      fc.property(fc.nat(flight.length - 1), fc.integer({ min: 1, max: 255 }), (at, xor) => {
        // Replay the same client (same randomness is not needed: the mutation is checked for error class only).
        const p = freshPair();
        try {
          p.client.doHandshake();
        } catch {
          // WantRead
        }
        const bytes = flight.slice();
        bytes[at]! ^= xor;
        p.clientIn.write(bytes);
        try {
          p.client.doHandshake();
        } catch (e) {
          expect(e).toBeInstanceOf(SSLError);
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('post-handshake bounds and alerts', () => {
  type Internals = {
    sendHandshake(m: Uint8Array): void;
    flushHandshake(): void;
    record: { send(type: number, content: Uint8Array): void; writeKey: { sequence: number } };
  };
  const internals = (obj: SSLObject) => obj.connection as unknown as Internals;
  const push = (pair: Pair) => {
    const out = pair.client.connection.takeOutgoing();
    if (out !== null) pair.clientOut.write(out);
    transfer(pair);
  };

  it('too many KeyUpdates without application data → unexpected_message', () => {
    const pair = freshPair();
    handshake(pair);
    for (let i = 0; i < 40; i++) pair.client.connection.keyUpdate(false);
    push(pair);
    expect(() => pair.server.read()).toThrow(/TOO_MANY_KEY_UPDATES/);
  });

  it('too many empty application-data records → unexpected_message', () => {
    const pair = freshPair();
    handshake(pair);
    for (let i = 0; i < 40; i++) internals(pair.client).record.send(23, new Uint8Array(0));
    push(pair);
    expect(() => pair.server.read()).toThrow(/TOO_MANY_EMPTY_RECORDS/);
  });

  it('a KeyUpdate with request_update 2 → illegal_parameter', () => {
    const pair = freshPair();
    handshake(pair);
    internals(pair.client).sendHandshake(Uint8Array.of(24, 0, 0, 1, 2));
    internals(pair.client).flushHandshake();
    push(pair);
    expect(() => pair.server.read()).toThrow(/BAD_KEY_UPDATE/);
    transfer(pair);
    expect(() => pair.client.read()).toThrow(/SSLV3_ALERT_ILLEGAL_PARAMETER/);
  });

  it('user_canceled is not fatal; any other alert is, whatever its level', () => {
    const pair = freshPair();
    handshake(pair);
    internals(pair.client).record.send(21, Uint8Array.of(1, 90));
    push(pair);
    expect(() => pair.server.read()).toThrow(SSLWantReadError);
    internals(pair.client).record.send(21, Uint8Array.of(1, 80));
    push(pair);
    expect(() => pair.server.read()).toThrow(/TLSV1_ALERT_INTERNAL_ERROR/);
  });

  it('data after close_notify is ignored (RFC 8446 §6.1)', () => {
    const pair = freshPair();
    handshake(pair);
    internals(pair.client).record.send(21, Uint8Array.of(1, 0));
    internals(pair.client).record.send(23, new TextEncoder().encode('late'));
    push(pair);
    expect(() => pair.server.read()).toThrow(/ZERO_RETURN|closed/);
  });

  it("rekeys on its own at the suite's usage limit (RFC 8446 §5.5)", () => {
    const pair = freshPair();
    handshake(pair);
    const before = internals(pair.client).record.writeKey;
    const limit = pair.client.connection.keyUpdateLimit; // 2^24.5 records for AES-GCM
    before.sequence = limit; // pretend the limit's worth of records went out under this key
    pair.client.write('after automatic rekey');
    // A KeyUpdate went out under the old key, then the data under a fresh key (sequence restarted).
    expect(internals(pair.client).record.writeKey).not.toBe(before);
    expect(before.sequence).toBe(limit + 1);
    expect(internals(pair.client).record.writeKey.sequence).toBe(1);
  });
});

describe('record size limits on protected records', () => {
  it('a decrypted inner plaintext above 2^14 + 1 → record_overflow', () => {
    const pair = freshPair();
    handshake(pair);
    const record = (pair.client.connection as unknown as { record: { maxFragment: number } }).record;
    record.maxFragment = (1 << 14) + 100; // a peer that ignores §5.1's limit
    pair.client.write(new Uint8Array((1 << 14) + 100));
    transfer(pair);
    expect(() => pair.server.read()).toThrow(/DATA_LENGTH_TOO_LONG/);
    transfer(pair);
    expect(() => pair.client.read()).toThrow(/TLSV1_ALERT_RECORD_OVERFLOW/);
  });
});
