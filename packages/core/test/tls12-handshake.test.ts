/**
 * TLS 1.2 client ↔ server in memory: every suite × certificate type, version negotiation with TLS 1.3
 * (highest common version, minimum/maximumVersion, OP_NO_TLSv1_*; the RFC 8446 §4.1.3 downgrade
 * sentinel), and a negative test per rule — extended master secret (RFC 7627), renegotiation_info
 * (RFC 5746), renegotiation refused, version rollback, unexpected messages, bad signatures, bad Finished,
 * wrong explicit nonce — by rewriting the plaintext flights between the two sides. Resumption by
 * session ID and by ticket, client certificates, SNI, ALPN, exporters and channel bindings.
 */
import {
  CERT_OPTIONAL,
  CERT_REQUIRED,
  OP_NO_TICKET,
  OP_NO_TLSv1_2,
  OP_NO_TLSv1_3,
  type SSLContext,
  type SSLError,
  type SSLSession,
  TLSVersion,
} from '@sanstls/core';
import { concatBytes } from '@sanstls/x509';
import { describe, expect, it } from 'vitest';
import { TLS12_SUITES } from '../src/cipher-string.js';
import { ExtensionType, HandshakeType } from '../src/codec/enums.js';
import {
  encodeEcPointFormats,
  encodeRenegotiationInfo,
  encodeSupportedVersionsClientHello,
  findExtension,
  parseSupportedVersionsClientHello,
} from '../src/codec/extensions.js';
import {
  encodeClientHello,
  encodeHelloRequest,
  encodeServerHello,
  parseClientHello,
  parseServerHello,
  type ServerHello,
} from '../src/codec/messages.js';
import {
  clientContext,
  exchange,
  handshake,
  handshakeUntilError,
  type KeyType,
  makePair,
  type Pair,
  readAll,
  record,
  serverContext,
  splitRecords,
  testPki,
  transfer,
} from './helpers/tls-pair.js';

const text = (b: Uint8Array) => new TextDecoder().decode(b);

function client12(): SSLContext {
  const ctx = clientContext();
  ctx.maximumVersion = TLSVersion.TLSv1_2;
  return ctx;
}

// ---------------------------------------------------------------------------------------------
// Flight rewriting (plaintext records only: the first flights)

/** Rewrites the handshake messages of a plaintext flight (records of type 22). */
function rewriteFlight(bytes: Uint8Array, edit: (messages: Uint8Array[]) => Uint8Array[]): Uint8Array {
  const content = concatBytes(
    splitRecords(bytes)
      .filter((r) => r.type === 22)
      .map((r) => r.body),
  );
  const messages: Uint8Array[] = [];
  for (let at = 0; at < content.length; ) {
    const length = (content[at + 1]! << 16) | (content[at + 2]! << 8) | content[at + 3]!;
    messages.push(content.slice(at, at + 4 + length));
    at += 4 + length;
  }
  const edited = concatBytes(edit(messages));
  const records: Uint8Array[] = [];
  for (let at = 0; at < edited.length; at += 16384) records.push(record(22, edited.subarray(at, at + 16384)));
  return concatBytes(records);
}

/** Replaces the ClientHello of the client's first flight. */
function editClientHello(pair: Pair, edit: (hello: ReturnType<typeof parseClientHello>) => void): void {
  try {
    pair.client.doHandshake();
  } catch {
    // WantRead
  }
  const flight = pair.clientOut.read();
  pair.clientOut.write(
    rewriteFlight(flight, ([ch]) => {
      const hello = parseClientHello(ch!.subarray(4));
      edit(hello);
      return [encodeClientHello(hello)];
    }),
  );
}

/** Rewrites the server's first flight (ServerHello … ServerHelloDone). */
function editServerFlight(pair: Pair, edit: (messages: Uint8Array[]) => Uint8Array[]): void {
  try {
    pair.client.doHandshake();
  } catch {
    // WantRead
  }
  transfer(pair);
  try {
    pair.server.doHandshake();
  } catch {
    // WantRead
  }
  pair.serverOut.write(rewriteFlight(pair.serverOut.read(), edit));
}

function editServerHello(pair: Pair, edit: (sh: ServerHello) => void): void {
  editServerFlight(pair, (messages) => {
    const sh = parseServerHello(messages[0]!.subarray(4)) as ServerHello;
    edit(sh);
    return [encodeServerHello(sh), ...messages.slice(1)];
  });
}

const withoutExtension = (type: number) => (m: { extensions: { type: number }[] }) => {
  m.extensions = m.extensions.filter((e) => e.type !== type);
};

function reasons(errors: { client: unknown; server: unknown }) {
  return {
    client: (errors.client as SSLError | undefined)?.reason,
    server: (errors.server as SSLError | undefined)?.reason,
  };
}

// ---------------------------------------------------------------------------------------------

describe('TLS 1.2 suites × certificates in memory', () => {
  const certFor = (au: string): KeyType[] => (au === 'ECDSA' ? ['ec256', 'ec384', 'ed25519'] : ['rsa2048']);
  for (const suite of TLS12_SUITES) {
    for (const key of certFor(suite.au)) {
      it(`${suite.name} with a ${key} certificate`, () => {
        const client = client12();
        client.setCiphers(suite.name);
        const server = serverContext([key]);
        server.setCiphers('ALL');
        if (suite.kx === 'DHE') {
          client.loadDhParams('ffdhe2048');
          server.loadDhParams('ffdhe2048');
        }
        const pair = makePair(client, server);
        handshake(pair);
        expect(pair.client.cipher()).toEqual([suite.name, 'TLSv1.2', suite.bits]);
        expect(pair.server.cipher()).toEqual([suite.name, 'TLSv1.2', suite.bits]);
        exchange(pair);
        // RFC 5705 exporter and RFC 5929 tls-unique agree on both sides.
        const e1 = pair.client.exportKeyingMaterial('EXPERIMENTAL-test', 40, Uint8Array.of(1, 2));
        expect(pair.server.exportKeyingMaterial('EXPERIMENTAL-test', 40, Uint8Array.of(1, 2))).toEqual(e1);
        expect(pair.client.exportKeyingMaterial('EXPERIMENTAL-test', 40)).not.toEqual(e1.subarray(0, 40));
        expect(pair.client.getChannelBinding('tls-unique')).toEqual(pair.server.getChannelBinding('tls-unique'));
        expect(pair.client.getChannelBinding('tls-unique')!.length).toBe(12);
        expect(pair.client.getPeerCert()).toMatchObject({ subject: [[['commonName', `server-${key}`]]] });
      });
    }
  }

  it('keeps the 64-bit sequence in the explicit nonce across many records and large writes', () => {
    const pair = makePair(client12(), serverContext());
    handshake(pair);
    const big = new Uint8Array(100_000).map((_, i) => i & 0xff);
    pair.client.write(big);
    transfer(pair);
    expect(readAll(pair.server)).toEqual(big);
    for (let i = 0; i < 50; i++) pair.server.write(`m${i};`);
    transfer(pair);
    expect(text(readAll(pair.client))).toBe(Array.from({ length: 50 }, (_, i) => `m${i};`).join(''));
  });

  it('logs the master secret as an NSS CLIENT_RANDOM line', () => {
    const lines: string[] = [];
    const client = client12();
    client.keylogCallback = (line) => lines.push(line);
    const pair = makePair(client, serverContext());
    handshake(pair);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}$/);
  });

  it('close_notify ends both sides cleanly', () => {
    const pair = makePair(client12(), serverContext());
    handshake(pair);
    expect(() => pair.client.unwrap()).toThrow(/read/i);
    transfer(pair);
    expect(() => pair.server.read()).toThrow(expect.objectContaining({ name: 'SSLZeroReturnError' }));
    pair.server.unwrap();
    transfer(pair);
    pair.client.unwrap();
  });
});

describe('version negotiation with TLS 1.3', () => {
  const versions = (client: SSLContext, server: SSLContext) => {
    const pair = makePair(client, server);
    handshake(pair);
    return [pair.client.version(), pair.server.version()];
  };

  it('the highest common version wins', () => {
    expect(versions(clientContext(), serverContext())).toEqual(['TLSv1.3', 'TLSv1.3']);
    expect(versions(client12(), serverContext())).toEqual(['TLSv1.2', 'TLSv1.2']);
    const server12 = serverContext();
    server12.maximumVersion = TLSVersion.TLSv1_2;
    expect(versions(clientContext(), server12)).toEqual(['TLSv1.2', 'TLSv1.2']);
    const noTls13 = clientContext();
    noTls13.options |= OP_NO_TLSv1_3;
    expect(versions(noTls13, serverContext())).toEqual(['TLSv1.2', 'TLSv1.2']);
  });

  it('a TLS 1.3 server negotiating TLS 1.2 writes the downgrade sentinel; a TLS 1.2-only server does not', () => {
    const serverRandom = (server: SSLContext) => {
      const pair = makePair(client12(), server);
      handshake(pair);
      return pair.client.connection.tls12!.serverRandom;
    };
    expect(Buffer.from(serverRandom(serverContext()).subarray(24)).toString('latin1')).toBe('DOWNGRD\x01');
    const server12 = serverContext();
    server12.maximumVersion = TLSVersion.TLSv1_2;
    expect(Buffer.from(serverRandom(server12).subarray(24)).toString('latin1')).not.toMatch(/^DOWNGRD/);
  });

  it('a client that offered TLS 1.3 aborts on the sentinel (version rollback by an attacker) with illegal_parameter', () => {
    const pair = makePair(clientContext(), serverContext());
    editClientHello(pair, (hello) => {
      const ext = findExtension(hello.extensions, ExtensionType.supported_versions)!;
      const only12 = parseSupportedVersionsClientHello(ext.body).filter((v) => v !== 0x0304);
      ext.body = encodeSupportedVersionsClientHello(only12);
    });
    const errors = handshakeUntilError(pair);
    expect(reasons(errors).client).toBe('TLS13_DOWNGRADE');
    expect((errors.client as SSLError).alert).toBe(47);
    expect(reasons(errors).server).toBe('SSLV3_ALERT_ILLEGAL_PARAMETER');
  });

  it('refuses a ClientHello offering only TLS 1.1 (protocol_version) and a TLS 1.1 ServerHello', () => {
    let pair = makePair(client12(), serverContext());
    editClientHello(pair, (hello) => {
      hello.legacyVersion = 0x0302;
      withoutExtension(ExtensionType.supported_versions)(hello);
    });
    let errors = handshakeUntilError(pair);
    expect(reasons(errors).server).toBe('UNSUPPORTED_PROTOCOL');
    expect((errors.server as SSLError).alert).toBe(70);
    pair = makePair(client12(), serverContext());
    editServerHello(pair, (sh) => {
      sh.legacyVersion = 0x0302;
    });
    errors = handshakeUntilError(pair);
    expect(reasons(errors).client).toBe('UNSUPPORTED_PROTOCOL');
  });

  it('minimumVersion TLSv1_3 on either side refuses a TLS 1.2-only peer with protocol_version', () => {
    const server13 = serverContext();
    server13.minimumVersion = TLSVersion.TLSv1_3;
    let errors = handshakeUntilError(makePair(client12(), server13));
    expect(reasons(errors)).toEqual({ client: 'TLSV1_ALERT_PROTOCOL_VERSION', server: 'UNSUPPORTED_PROTOCOL' });
    const client13 = clientContext();
    client13.minimumVersion = TLSVersion.TLSv1_3;
    const server12 = serverContext();
    server12.maximumVersion = TLSVersion.TLSv1_2;
    errors = handshakeUntilError(makePair(client13, server12));
    expect(reasons(errors)).toEqual({ client: 'TLSV1_ALERT_PROTOCOL_VERSION', server: 'UNSUPPORTED_PROTOCOL' });
    expect((errors.server as SSLError).alert).toBe(70);
  });

  it('OP_NO_TLSv1_2 on the server refuses a TLS 1.2-only client', () => {
    const server = serverContext();
    server.options |= OP_NO_TLSv1_2;
    const errors = handshakeUntilError(makePair(client12(), server));
    expect(reasons(errors)).toEqual({ client: 'TLSV1_ALERT_PROTOCOL_VERSION', server: 'UNSUPPORTED_PROTOCOL' });
  });
});

describe('RFC 7627 extended master secret', () => {
  it('a server requiring EMS refuses a client without it (handshake_failure)', () => {
    const pair = makePair(client12(), serverContext());
    editClientHello(pair, withoutExtension(ExtensionType.extended_master_secret));
    const errors = handshakeUntilError(pair);
    expect(reasons(errors)).toEqual({
      client: 'SSLV3_ALERT_HANDSHAKE_FAILURE',
      server: 'EXTENDED_MASTER_SECRET_REQUIRED',
    });
  });

  it('a client requiring EMS refuses a server without it (handshake_failure)', () => {
    const pair = makePair(client12(), serverContext());
    editServerHello(pair, withoutExtension(ExtensionType.extended_master_secret));
    const errors = handshakeUntilError(pair);
    expect(reasons(errors)).toEqual({
      client: 'EXTENDED_MASTER_SECRET_REQUIRED',
      server: 'SSLV3_ALERT_HANDSHAKE_FAILURE',
    });
  });

  it('without EMS (allowed by option) a tampered ClientHello is caught by Finished: decrypt_error', () => {
    const client = client12();
    const server = serverContext();
    client.tls12.requireExtendedMasterSecret = false;
    server.tls12.requireExtendedMasterSecret = false;
    const pair = makePair(client, server);
    editClientHello(pair, withoutExtension(ExtensionType.extended_master_secret));
    const errors = handshakeUntilError(pair);
    expect(reasons(errors)).toEqual({ client: 'TLSV1_ALERT_DECRYPT_ERROR', server: 'DIGEST_CHECK_FAILED' });
  });
});

describe('RFC 5746 renegotiation_info and refused renegotiation', () => {
  it('a non-empty renegotiation_info in the initial ClientHello → handshake_failure', () => {
    const pair = makePair(client12(), serverContext());
    editClientHello(pair, (hello) => {
      findExtension(hello.extensions, ExtensionType.renegotiation_info)!.body = encodeRenegotiationInfo(
        new Uint8Array(12),
      );
    });
    expect(reasons(handshakeUntilError(pair)).server).toBe('RENEGOTIATION_MISMATCH');
  });

  it('a non-empty or missing renegotiation_info in the ServerHello → handshake_failure', () => {
    let pair = makePair(client12(), serverContext());
    editServerHello(pair, (sh) => {
      findExtension(sh.extensions, ExtensionType.renegotiation_info)!.body = encodeRenegotiationInfo(
        new Uint8Array(24),
      );
    });
    let errors = handshakeUntilError(pair);
    expect(reasons(errors).client).toBe('RENEGOTIATION_MISMATCH');
    expect((errors.client as SSLError).alert).toBe(40);
    pair = makePair(client12(), serverContext());
    editServerHello(pair, withoutExtension(ExtensionType.renegotiation_info));
    errors = handshakeUntilError(pair);
    expect(reasons(errors).client).toBe('UNSAFE_LEGACY_RENEGOTIATION_DISABLED');
  });

  it('the server answers the SCSV alone with renegotiation_info, and omits it for a legacy client', () => {
    const serverHelloExtensions = (edit: (hello: ReturnType<typeof parseClientHello>) => void) => {
      const pair = makePair(client12(), serverContext());
      editClientHello(pair, edit);
      transfer(pair);
      expect(() => pair.server.doHandshake()).toThrow(expect.objectContaining({ name: 'SSLWantReadError' }));
      let sh: ServerHello | undefined;
      rewriteFlight(pair.serverOut.read(), (messages) => {
        sh = parseServerHello(messages[0]!.subarray(4)) as ServerHello;
        return messages;
      });
      return sh!.extensions.map((e) => e.type);
    };
    expect(
      serverHelloExtensions((hello) => {
        withoutExtension(ExtensionType.renegotiation_info)(hello);
        hello.cipherSuites.push(0x00ff);
      }),
    ).toContain(ExtensionType.renegotiation_info);
    expect(serverHelloExtensions(withoutExtension(ExtensionType.renegotiation_info))).not.toContain(
      ExtensionType.renegotiation_info,
    );
  });

  it('a HelloRequest gets a no_renegotiation warning and the connection goes on', () => {
    const pair = makePair(client12(), serverContext());
    handshake(pair);
    pair.server.connection.sendHandshake(encodeHelloRequest());
    pair.server.connection.process();
    pair.serverOut.write(pair.server.connection.takeOutgoing()!);
    transfer(pair);
    expect(() => pair.client.read()).toThrow(expect.objectContaining({ name: 'SSLWantReadError' }));
    transfer(pair); // the client's warning alert reaches the server, which ignores it
    exchange(pair);
  });

  it('a ClientHello after the handshake gets no_renegotiation (fatal when configured)', () => {
    const server = serverContext();
    const pair = makePair(client12(), server);
    handshake(pair);
    const renegotiate = () => {
      pair.client.connection.sendHandshake(
        encodeClientHello({
          legacyVersion: 0x0303,
          random: new Uint8Array(32),
          legacySessionId: new Uint8Array(0),
          cipherSuites: [0xc02f],
          legacyCompressionMethods: [0],
          extensions: [],
        }),
      );
      pair.client.connection.process();
      pair.clientOut.write(pair.client.connection.takeOutgoing()!);
      transfer(pair);
    };
    renegotiate();
    expect(() => pair.server.read()).toThrow(expect.objectContaining({ name: 'SSLWantReadError' }));
    expect(server.sessionStats().accept_renegotiate).toBe(1);
    transfer(pair);
    exchange(pair);
    server.tls12.renegotiationFatal = true;
    const pair2 = makePair(client12(), server);
    handshake(pair2);
    Object.assign(pair, pair2);
    renegotiate();
    expect(() => pair.server.read()).toThrow(expect.objectContaining({ reason: 'NO_RENEGOTIATION', alert: 100 }));
    transfer(pair);
    expect(() => pair.client.read()).toThrow(expect.objectContaining({ reason: 'TLSV1_ALERT_NO_RENEGOTIATION' }));
  });
});

describe('handshake checks', () => {
  it('a cipher suite we did not offer → illegal_parameter', () => {
    const client = client12();
    client.setCiphers('ECDHE-ECDSA-AES128-GCM-SHA256');
    const pair = makePair(client, serverContext());
    editServerHello(pair, (sh) => {
      sh.cipherSuite = 0xc02c;
    });
    expect(reasons(handshakeUntilError(pair)).client).toBe('WRONG_CIPHER_RETURNED');
  });

  it('a bad ServerKeyExchange signature → decrypt_error', () => {
    const pair = makePair(client12(), serverContext());
    editServerFlight(pair, (messages) =>
      messages.map((m) => {
        if (m[0] !== HandshakeType.server_key_exchange) return m;
        const copy = m.slice();
        copy[copy.length - 5]! ^= 1;
        return copy;
      }),
    );
    const errors = handshakeUntilError(pair);
    expect(reasons(errors).client).toBe('BAD_SIGNATURE');
    expect((errors.client as SSLError).alert).toBe(51);
  });

  it('a missing ServerKeyExchange → unexpected_message', () => {
    const pair = makePair(client12(), serverContext());
    editServerFlight(pair, (messages) => messages.filter((m) => m[0] !== HandshakeType.server_key_exchange));
    const errors = handshakeUntilError(pair);
    expect(reasons(errors).client).toBe('UNEXPECTED_MESSAGE');
    expect((errors.client as SSLError).alert).toBe(10);
  });

  it('an unsolicited ServerHello extension → unsupported_extension', () => {
    const client = client12();
    client.options |= OP_NO_TICKET;
    const pair = makePair(client, serverContext());
    editServerHello(pair, (sh) => {
      sh.extensions.push({ type: ExtensionType.session_ticket, body: new Uint8Array(0) });
    });
    const errors = handshakeUntilError(pair);
    expect((errors.client as SSLError).alert).toBe(110);
  });

  it('a wrong explicit nonce (or any tampered record) → bad_record_mac', () => {
    const pair = makePair(client12(), serverContext());
    handshake(pair);
    pair.client.write('secret');
    const rec = pair.clientOut.read();
    rec[6]! ^= 0x40; // inside the 8-byte explicit nonce (client default suite: AES-GCM with the pure provider? either way authenticated)
    pair.serverIn.write(rec);
    expect(() => pair.server.read()).toThrow(
      expect.objectContaining({ reason: 'DECRYPTION_FAILED_OR_BAD_RECORD_MAC', alert: 20 }),
    );
  });

  it('ec_point_formats (RFC 8422 §5.1.2, §5.2): answered for ECDHE; uncompressed required both ways', () => {
    const serverHelloTypes = () => {
      const pair = makePair(client12(), serverContext());
      let types: number[] = [];
      editServerHello(pair, (sh) => {
        types = sh.extensions.map((e) => e.type);
      });
      return types;
    };
    expect(serverHelloTypes()).toContain(ExtensionType.ec_point_formats);
    // A client that cannot take uncompressed points gets no ECDHE suite (here: none at all).
    let pair = makePair(client12(), serverContext());
    editClientHello(pair, (hello) => {
      findExtension(hello.extensions, ExtensionType.ec_point_formats)!.body = encodeEcPointFormats([1]);
    });
    expect(reasons(handshakeUntilError(pair)).server).toBe('NO_SHARED_CIPHER');
    // A server answering without uncompressed → illegal_parameter.
    pair = makePair(client12(), serverContext());
    editServerHello(pair, (sh) => {
      findExtension(sh.extensions, ExtensionType.ec_point_formats)!.body = encodeEcPointFormats([1, 2]);
    });
    const errors = handshakeUntilError(pair);
    expect(reasons(errors).client).toBe('ILLEGAL_PARAMETER');
    expect((errors.client as SSLError).alert).toBe(47);
  });

  it('ALPN mismatch → no_application_protocol; agreement is reported', () => {
    const server = serverContext();
    server.setAlpnProtocols(['h2', 'http/1.1']);
    const client = client12();
    client.setAlpnProtocols(['http/1.1']);
    const pair = makePair(client, server);
    handshake(pair);
    expect([pair.client.selectedAlpnProtocol(), pair.server.selectedAlpnProtocol()]).toEqual(['http/1.1', 'http/1.1']);
    const other = client12();
    other.setAlpnProtocols(['spdy/3']);
    expect(reasons(handshakeUntilError(makePair(other, server))).server).toBe('NO_APPLICATION_PROTOCOL');
  });

  it('SNI reaches the server and its callback can switch the certificate', () => {
    const server = serverContext(['ec256']);
    const other = serverContext(['rsa2048']);
    const seen: (string | null)[] = [];
    server.sniCallback = (obj, name) => {
      seen.push(name);
      obj.context = other;
    };
    const pair = makePair(client12(), server);
    handshake(pair);
    expect(seen).toEqual(['localhost']);
    expect(pair.client.cipher()![0]).toMatch(/^ECDHE-RSA-/);
  });

  it('DHE is off unless enabled: a DHE-only server finds no shared cipher', () => {
    const server = serverContext(['rsa2048']);
    server.setCiphers('DHE-RSA-AES128-GCM-SHA256');
    server.loadDhParams('ffdhe2048');
    expect(reasons(handshakeUntilError(makePair(client12(), server))).server).toBe('NO_SHARED_CIPHER');
  });

  it('a groups setting with an RFC 7919 name enables DHE too (ffdhe3072 negotiated), keeping the ECDHE groups', () => {
    const client = client12();
    client.setCiphers('DHE-RSA-AES128-GCM-SHA256');
    client.setGroups(['ffdhe3072']);
    const server = serverContext(['rsa2048']);
    server.setCiphers('ALL');
    server.setGroups(['secp384r1', 'ffdhe3072']);
    expect(server.groups).toEqual(['secp384r1']);
    expect(client.groups).toEqual(['X25519MLKEM768', 'x25519', 'secp256r1', 'secp384r1']);
    const pair = makePair(client, server);
    handshake(pair);
    expect(pair.client.cipher()![0]).toBe('DHE-RSA-AES128-GCM-SHA256');
    expect(pair.client.connection.negotiated.group).toBe('ffdhe3072');
    expect(() => client.setEcdhCurve('ffdhe2048')).toThrow(/unsupported group/);
  });

  it('loadDhParams accepts RFC 7919 parameters only', () => {
    const ctx = serverContext();
    expect(() => ctx.loadDhParams('ffdhe3072')).not.toThrow();
    expect(() => ctx.loadDhParams('-----BEGIN DH PARAMETERS-----\nMAYCAQACAQI=\n-----END DH PARAMETERS-----')).toThrow(
      /RFC 7919/,
    );
    expect(() => ctx.loadDhParams('dh.pem')).toThrow(/not supported/);
  });
});

describe('client certificates (RFC 5246 §7.4.4, §7.4.6, §7.4.8)', () => {
  const mtlsServer = (mode: number) => {
    const server = serverContext();
    server.verifyMode = mode;
    server.loadVerifyLocations({ cadata: testPki().caPem }); // one CA signs client and server certificates
    return server;
  };

  it('verifies a client certificate (CertificateVerify over all messages)', () => {
    const client = client12();
    client.loadCertChain(testPki().client.certPem, testPki().client.keyPem);
    const pair = makePair(client, mtlsServer(CERT_REQUIRED));
    handshake(pair);
    expect(pair.server.getPeerCert()).toMatchObject({ subject: [[['commonName', 'client']]] });
    expect(pair.server.connection.negotiated.peerSignatureScheme).toBe(0x0403);
    exchange(pair);
  });

  it('CERT_REQUIRED without a client certificate → handshake_failure; CERT_OPTIONAL goes on', () => {
    const errors = handshakeUntilError(makePair(client12(), mtlsServer(CERT_REQUIRED)));
    expect(reasons(errors)).toEqual({
      client: 'SSLV3_ALERT_HANDSHAKE_FAILURE',
      server: 'PEER_DID_NOT_RETURN_A_CERTIFICATE',
    });
    const pair = makePair(client12(), mtlsServer(CERT_OPTIONAL));
    handshake(pair);
    expect(pair.server.getPeerCert()).toBeNull();
  });
});

describe('resumption (RFC 5246 session IDs, RFC 5077 tickets)', () => {
  const connect = (client: SSLContext, server: SSLContext, session?: SSLSession) => {
    const pair = makePair(client, server);
    if (session !== undefined) {
      // wrapBio's `session` option, as Python's wrap_bio(session=…)
      const incoming = pair.clientIn;
      const outgoing = pair.clientOut;
      pair.client = client.wrapBio(incoming, outgoing, { serverHostname: 'localhost', session });
    }
    handshake(pair);
    return pair;
  };

  for (const mode of ['ticket', 'session ID'] as const) {
    it(`resumes by ${mode} with the same keys' facts, the original peer certificate and counters`, () => {
      const client = client12();
      const server = serverContext();
      if (mode === 'session ID') server.options |= OP_NO_TICKET;
      const first = connect(client, server);
      expect(first.client.sessionReused).toBe(false);
      const session = first.client.session!;
      expect(session.hasTicket).toBe(mode === 'ticket');
      expect(session.ticketLifetimeHint).toBe(mode === 'ticket' ? 7200 : 0);
      expect(session.id.length).toBe(32);
      expect(session.timeout).toBe(7200);
      const second = connect(client, server, session);
      expect(second.client.sessionReused).toBe(true);
      expect(second.server.sessionReused).toBe(true);
      expect(second.client.cipher()).toEqual(first.client.cipher());
      expect(second.client.getPeerCert()).toEqual(first.client.getPeerCert());
      // RFC 5929 §3.1: after resumption tls-unique is the server's Finished (the first one sent).
      expect(second.client.getChannelBinding('tls-unique')).toEqual(second.server.getChannelBinding('tls-unique'));
      expect(second.client.getChannelBinding('tls-unique')).toEqual(second.client.connection.tls12!.serverVerifyData);
      expect(second.client.exportKeyingMaterial('EXPERIMENTAL-x', 16)).toEqual(
        second.server.exportKeyingMaterial('EXPERIMENTAL-x', 16),
      );
      exchange(second);
      expect(server.sessionStats()).toMatchObject({ hits: 1, accept: 2, accept_good: 2, number: 1 });
    });
  }

  it('a tampered ServerHello in an abbreviated handshake fails the server Finished check: decrypt_error', () => {
    // RFC 5246 §7.4.9: the keys come from the stored master secret, so the record layer still decrypts the
    // server's Finished; only verify_data over the (changed) transcript can tell.
    const client = client12();
    const server = serverContext();
    server.options |= OP_NO_TICKET;
    const session = connect(client, server).client.session!;
    const pair = makePair(client, server);
    pair.client = client.wrapBio(pair.clientIn, pair.clientOut, { serverHostname: 'localhost', session });
    expect(() => pair.client.doHandshake()).toThrow(expect.objectContaining({ name: 'SSLWantReadError' }));
    transfer(pair);
    expect(() => pair.server.doHandshake()).toThrow(expect.objectContaining({ name: 'SSLWantReadError' }));
    const [hello, ...rest] = splitRecords(pair.serverOut.read());
    expect(hello!.type).toBe(22);
    const sh = parseServerHello(hello!.body.subarray(4)) as ServerHello;
    expect(sh.extensions.length).toBeGreaterThan(1);
    sh.extensions.reverse(); // same meaning, different bytes
    pair.serverOut.write(concatBytes([record(22, encodeServerHello(sh)), ...rest.map((r) => record(r.type, r.body))]));
    const errors = handshakeUntilError(pair);
    expect(reasons(errors).client).toBe('DIGEST_CHECK_FAILED');
    expect((errors.client as SSLError).alert).toBe(51);
  });

  it('OP_NO_TICKET on the client falls back to the session ID', () => {
    const client = client12();
    client.options |= OP_NO_TICKET;
    const server = serverContext();
    const first = connect(client, server);
    expect(first.client.session!.hasTicket).toBe(false);
    expect(connect(client, server, first.client.session!).client.sessionReused).toBe(true);
  });

  it('rotated-out ticket keys and expired sessions give a full handshake (injected clock)', () => {
    let now = Date.now();
    const client = clientContext({ now: () => now });
    client.maximumVersion = TLSVersion.TLSv1_2;
    const server = serverContext(['ec256'], { now: () => now });
    server.tls12.ticketKeyRotation = 60;
    server.tls12.sessionTimeout = 100_000;
    const first = connect(client, server);
    expect(first.client.session!.time).toBe(Math.floor(now / 1000)); // SSLSession.time from the injected clock
    expect(first.client.session!.timeout).toBe(7200); // the client context's lifetime, as OpenSSL's client
    now += 150 * 1000; // within the session lifetime, but two key rotations later: the key is gone
    const second = connect(client, server, first.client.session!);
    expect(second.client.sessionReused).toBe(false);
    server.tls12.ticketKeyRotation = 3600;
    const third = connect(client, server);
    now += 30 * 1000;
    expect(connect(client, server, third.client.session!).client.sessionReused).toBe(true);
    now += 100_000 * 1000; // past the session's timeout: the client does not even offer it
    expect(connect(client, server, third.client.session!).client.sessionReused).toBe(false);
  });

  it('a server with another certificate requirement or SNI does not resume', () => {
    const client = client12();
    const server = serverContext();
    const first = connect(client, server);
    const pair = makePair(client, server, 'localhost');
    client.checkHostname = false;
    pair.client = client.wrapBio(pair.clientIn, pair.clientOut, {
      serverHostname: null,
      session: first.client.session!,
    });
    handshake(pair);
    expect(pair.client.sessionReused).toBe(false);
  });
});

describe('exporters and channel bindings', () => {
  it('tls-exporter (RFC 9266) for TLS 1.3 and for TLS 1.2 with EMS; reserved labels refused', () => {
    for (const client of [clientContext(), client12()]) {
      const pair = makePair(client, serverContext());
      handshake(pair);
      const cb = pair.client.getChannelBinding('tls-exporter')!;
      expect(cb.length).toBe(32);
      expect(pair.server.getChannelBinding('tls-exporter')).toEqual(cb);
      expect(pair.client.exportKeyingMaterial('EXPORTER-Channel-Binding', 32)).toEqual(cb);
    }
    const pair = makePair(client12(), serverContext());
    handshake(pair);
    expect(() => pair.client.exportKeyingMaterial('key expansion', 16)).toThrow(/reserved/);
  });
});

describe('TLS 1.2 suspension points and record policy', () => {
  it('an async verify callback (client) and an async SNI callback (server) park and resume the handshake', async () => {
    const client = client12();
    client.verifyCallback = (info) => Promise.resolve(info.preverified);
    const server = serverContext();
    server.sniCallback = () => new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 5));
    const pair = makePair(client, server);
    for (
      let round = 0;
      round < 50 && !(pair.client.connection.handshakeComplete && pair.server.connection.handshakeComplete);
      round++
    ) {
      for (const side of [pair.client, pair.server]) {
        try {
          side.doHandshake();
        } catch (e) {
          if ((e as Error).name !== 'SSLWantReadError') throw e;
        }
      }
      transfer(pair);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(pair.client.version()).toBe('TLSv1.2');
    exchange(pair);
  });

  it('TLS_FALLBACK_SCSV from a client that could do better → inappropriate_fallback', () => {
    const pair = makePair(client12(), serverContext());
    editClientHello(pair, (hello) => {
      hello.cipherSuites.push(0x5600);
    });
    const errors = handshakeUntilError(pair);
    expect(reasons(errors).server).toBe('INAPPROPRIATE_FALLBACK');
    expect((errors.server as SSLError).alert).toBe(86);
  });

  it('application data before the handshake completes → unexpected_message', () => {
    const pair = makePair(client12(), serverContext());
    editServerFlight(pair, (messages) => messages);
    pair.serverOut.write(record(23, new Uint8Array(30)));
    const errors = handshakeUntilError(pair);
    expect(reasons(errors).client).toBe('UNEXPECTED_RECORD');
  });

  it('a ChangeCipherSpec before the keys exist → unexpected_message', () => {
    const pair = makePair(client12(), serverContext());
    editServerFlight(pair, (messages) => messages.slice(0, 2));
    pair.serverOut.write(record(20, Uint8Array.of(1)));
    const errors = handshakeUntilError(pair);
    expect(reasons(errors).client).toBe('UNEXPECTED_CCS_MESSAGE');
    expect((errors.client as SSLError).alert).toBe(10);
  });
});
