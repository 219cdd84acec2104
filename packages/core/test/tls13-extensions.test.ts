/**
 * OCSP stapling (status_request: RFC 6066 §8, RFC 8446 §4.4.2.1), certificate_authorities (RFC 8446
 * §4.2.4, RFC 5246 §7.4.4) and signature_algorithms_cert (RFC 8446 §4.2.3) in TLS 1.3 and 1.2, in memory
 * with negative cases, and OCSP interop with `openssl s_server -status_file` / `openssl s_client -status`.
 */

import tls from 'node:tls';
import {
  CERT_OPTIONAL,
  CERT_REQUIRED,
  PROTOCOL_TLS_CLIENT,
  SSLContext,
  type SSLError,
  SSLWantReadError,
  type SuspensionPoint,
  TLSVersion,
} from '@sanstls/core';
import {
  EMPTY_EXTENSION_BODY,
  type Extension,
  ExtensionType,
  encodeServerHello,
  encodeSignatureAlgorithms,
  parseServerHello,
  SignatureScheme,
} from '@sanstls/core/codec';
import { describe, expect, it } from 'vitest';
import { extensionPki } from './helpers/extension-pki.js';
import { connectedClient, interopScope, opensslServer, sClientSession, wwwPage } from './helpers/openssl-interop.js';
import { connect, listen } from './helpers/socket-pump.js';
import {
  clientContext,
  connectPair,
  handshake,
  handshakeUntilError,
  makePair,
  type Pair,
  serverContext,
  testPki,
  transfer,
} from './helpers/tls-pair.js';
import { hasTool, within } from './helpers/tls12-peers.js';

const VERSIONS = ['TLSv1.3', 'TLSv1.2'] as const;
type Version = (typeof VERSIONS)[number];

function at(version: Version, ctx: SSLContext): SSLContext {
  if (version === 'TLSv1.2') ctx.maximumVersion = TLSVersion.TLSv1_2;
  return ctx;
}

const withExtension = (type: number, body: Uint8Array) => (exts: Extension[]) => [
  ...exts.filter((e) => e.type !== type),
  { type, body },
];

// ---------------------------------------------------------------------------------------------
// OCSP stapling

/** Runs the client's first flight into the server, which parks at `point` on an asynchronous callback; waits for it. */
async function parkedServer(pair: Pair, point: SuspensionPoint): Promise<void> {
  const resumed = new Promise<void>((resolve) => {
    pair.server.onResume = resolve;
  });
  expect(() => pair.client.doHandshake()).toThrow(SSLWantReadError);
  transfer(pair);
  expect(() => pair.server.doHandshake()).toThrow(SSLWantReadError);
  expect(pair.server.suspensionPoint).toBe(point);
  await resumed;
}

describe('OCSP stapling', () => {
  for (const version of VERSIONS) {
    it(`${version}: the server staples the configured response; the client exposes it and calls back once`, () => {
      const { ocspResponse } = extensionPki();
      const server = serverContext();
      server.setOcspResponse(ocspResponse);
      const client = at(version, clientContext());
      client.requestOcsp = true;
      const calls: [Uint8Array | null, readonly Uint8Array[]][] = [];
      client.ocspResponseCallback = (response, chain) => {
        calls.push([response, chain]);
        return true;
      };
      const pair = makePair(client, server);
      handshake(pair);
      expect(pair.client.version()).toBe(version);
      expect(pair.client.ocspResponse).toEqual(ocspResponse);
      expect(calls).toHaveLength(1);
      expect(calls[0]![0]).toEqual(ocspResponse);
      expect(calls[0]![1][0]).toEqual(pair.client.getPeerCert(true));
    });

    it(`${version}: nothing is stapled unasked, even when the server has a response`, () => {
      const server = serverContext();
      server.setOcspResponse(extensionPki().ocspResponse);
      let called = false;
      const client = at(version, clientContext());
      client.ocspResponseCallback = () => {
        called = true;
      };
      const pair = makePair(client, server);
      handshake(pair);
      expect(pair.client.ocspResponse).toBeNull();
      expect(called).toBe(false); // the callback belongs to requestOcsp
    });

    it(`${version}: asked but nothing configured: the callback sees null`, () => {
      const client = at(version, clientContext());
      client.requestOcsp = true;
      const seen: (Uint8Array | null)[] = [];
      client.ocspResponseCallback = (response) => {
        seen.push(response);
      };
      const pair = makePair(client, serverContext());
      handshake(pair);
      expect(seen).toEqual([null]);
      expect(pair.client.ocspResponse).toBeNull();
    });

    it(`${version}: a callback returning false aborts with bad_certificate_status_response`, () => {
      const server = serverContext();
      server.setOcspResponse(extensionPki().ocspResponse);
      const client = at(version, clientContext());
      client.requestOcsp = true;
      client.ocspResponseCallback = () => false;
      const errors = handshakeUntilError(makePair(client, server));
      expect((errors.client as SSLError).reason).toBe('INVALID_STATUS_RESPONSE');
      expect(String(errors.server)).toMatch(/TLSV1_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE/);
    });

    it(`${version}: a must-staple policy in the callback refuses a server that staples nothing`, () => {
      const client = at(version, clientContext());
      client.requestOcsp = true;
      client.ocspResponseCallback = (response) => response !== null;
      const errors = handshakeUntilError(makePair(client, serverContext()));
      expect((errors.client as SSLError).reason).toBe('INVALID_STATUS_RESPONSE');
    });
  }

  it('the response goes with its chain: an RSA client gets none when only the EC chain has one', () => {
    const pki = testPki();
    const server = serverContext(['ec256', 'rsa2048']);
    server.setOcspResponse(extensionPki().ocspResponse, pki.leaf.ec256.certPem);
    const ecClient = clientContext();
    ecClient.requestOcsp = true;
    const ec = makePair(ecClient, server);
    handshake(ec);
    expect(ec.client.ocspResponse).toEqual(extensionPki().ocspResponse);
    // A client that only accepts RSA signatures gets the RSA chain, which has no response.
    const rsaClient = clientContext();
    rsaClient.requestOcsp = true;
    rsaClient.replayHooks = {
      clientHelloExtensions: withExtension(
        ExtensionType.signature_algorithms,
        encodeSignatureAlgorithms([SignatureScheme.rsa_pss_rsae_sha256]),
      ),
    };
    const rsa = makePair(rsaClient, server);
    handshake(rsa);
    expect(rsa.client.getPeerCert(true)).not.toEqual(ec.client.getPeerCert(true));
    expect(rsa.client.ocspResponse).toBeNull();
  });

  it('setOcspResponse validates its arguments', () => {
    const empty = serverContext([]);
    expect(() => empty.setOcspResponse(Uint8Array.of(1))).toThrow(/no such certificate chain/);
    const server = serverContext();
    expect(() => server.setOcspResponse(new Uint8Array(0))).toThrow(/empty/);
    expect(() => server.setOcspResponse(Uint8Array.of(1), testPki().leaf.rsa2048.certPem)).toThrow(/no such/);
    server.setOcspResponse(Uint8Array.of(1, 2, 3));
    server.setOcspResponse(null);
  });

  for (const version of VERSIONS) {
    it(`${version}: the SNI callback sees the request and staples a response for this connection only`, async () => {
      const { ocspResponse } = extensionPki();
      const server = serverContext(); // no context-wide response
      const asked: boolean[] = [];
      server.sniCallback = (obj) => {
        asked.push(obj.ocspRequested);
        // Asynchronous, as a responder fetch would be (Node's 'OCSPRequest' callback).
        return Promise.resolve().then(() => obj.setOcspResponse(obj.ocspRequested ? ocspResponse : null));
      };
      const client = at(version, clientContext());
      client.requestOcsp = true;
      const pair = makePair(client, server);
      await parkedServer(pair, 'serverNameCallback');
      handshake(pair);
      expect(pair.client.version()).toBe(version);
      expect(pair.client.ocspResponse).toEqual(ocspResponse);
      // Not asked: the callback learns it, and nothing is stapled even if it answers.
      server.sniCallback = (obj) => {
        asked.push(obj.ocspRequested);
        obj.setOcspResponse(ocspResponse);
      };
      const unasked = makePair(at(version, clientContext()), server);
      handshake(unasked);
      expect(unasked.client.ocspResponse).toBeNull();
      expect(asked).toEqual([true, false]);
      // Outside the callback the connection's Certificate is decided already.
      expect(() => unasked.server.setOcspResponse(ocspResponse)).toThrow(/server name or OCSP request callback only/);
    });
  }

  for (const version of VERSIONS) {
    it(`${version}: ocspRequestCallback staples on a full handshake and is not called on resumption`, async () => {
      const { ocspResponse } = extensionPki();
      const server = serverContext(); // no context-wide response
      let calls = 0;
      server.ocspRequestCallback = (obj) => {
        calls++;
        // Asynchronous, as a responder fetch would be (Node's 'OCSPRequest' callback).
        return Promise.resolve().then(() => obj.setOcspResponse(ocspResponse));
      };
      const client = at(version, clientContext());
      client.requestOcsp = true;
      const pair = makePair(client, server);
      await parkedServer(pair, 'ocspRequestCallback');
      connectPair(pair);
      expect(pair.client.ocspResponse).toEqual(ocspResponse);
      expect(calls).toBe(1);
      // RFC 6066 §8: a resumption sends no Certificate, so there is nothing to staple and nothing to ask.
      const again = makePair(client, server, 'localhost', pair.client.session);
      handshake(again);
      expect(again.client.sessionReused).toBe(true);
      expect(calls).toBe(1);
    });
  }

  it('TLS 1.3: a stapled response the client did not ask for is unsupported_extension', () => {
    const server = serverContext();
    server.setOcspResponse(extensionPki().ocspResponse);
    const client = clientContext(); // requestOcsp stays false, but the hello carries status_request
    client.replayHooks = {
      clientHelloExtensions: withExtension(ExtensionType.status_request, Uint8Array.of(1, 0, 0, 0, 0)),
    };
    const errors = handshakeUntilError(makePair(client, server));
    expect((errors.client as SSLError).reason).toBe('UNSOLICITED_EXTENSION');
    expect(String(errors.server)).toMatch(/TLSV1_ALERT_UNSUPPORTED_EXTENSION/);
  });

  it('TLS 1.2: a ServerHello status_request the client did not send is unsupported_extension', () => {
    const client = at('TLSv1.2', clientContext());
    const pair = makePair(client, at('TLSv1.2', serverContext()));
    try {
      pair.client.doHandshake();
    } catch {
      // want read
    }
    pair.serverIn.write(pair.clientOut.read());
    try {
      pair.server.doHandshake();
    } catch {
      // want read
    }
    const flight = pair.serverOut.read();
    const content = flight.subarray(5);
    const shLength = (content[1]! << 16) | (content[2]! << 8) | content[3]!;
    const sh = parseServerHello(content.subarray(4, 4 + shLength));
    if (sh.kind !== 'server_hello') throw new Error('expected a ServerHello');
    const edited = encodeServerHello({
      ...sh,
      extensions: withExtension(ExtensionType.status_request, EMPTY_EXTENSION_BODY)(sh.extensions),
    });
    const body = new Uint8Array([...edited, ...content.subarray(4 + shLength)]);
    pair.clientIn.write(new Uint8Array([22, 3, 3, body.length >> 8, body.length & 0xff, ...body]));
    expect(() => pair.client.doHandshake()).toThrow(/unsolicited status_request/);
    expect([...pair.clientOut.read()]).toEqual([21, 3, 3, 0, 2, 2, 110]);
  });
});

describe('OCSP stapling: malformed status (TLS 1.2, edited in transit)', () => {
  interface Message {
    type: number;
    body: Uint8Array;
  }

  /** Runs a TLS 1.2 handshake whose first server flight (one plaintext record) gets its messages edited. */
  function editFirstFlight(client: SSLContext, server: SSLContext, edit: (messages: Message[]) => Message[]) {
    const pair = makePair(client, server);
    for (const side of [pair.client, pair.server]) {
      try {
        side.doHandshake();
      } catch {
        // want read
      }
      if (side === pair.client) pair.serverIn.write(pair.clientOut.read());
    }
    const content = pair.serverOut.read().subarray(5);
    const messages: Message[] = [];
    for (let at = 0; at < content.length; ) {
      const length = (content[at + 1]! << 16) | (content[at + 2]! << 8) | content[at + 3]!;
      messages.push({ type: content[at]!, body: content.slice(at + 4, at + 4 + length) });
      at += 4 + length;
    }
    const parts = edit(messages).flatMap(({ type, body }) => [
      type,
      body.length >> 16,
      (body.length >> 8) & 0xff,
      body.length & 0xff,
      ...body,
    ]);
    pair.clientIn.write(new Uint8Array([22, 3, 3, parts.length >> 8, parts.length & 0xff, ...parts]));
    let error: SSLError | undefined;
    try {
      pair.client.doHandshake();
    } catch (e) {
      error = e as SSLError;
    }
    return { error, alert: [...pair.clientOut.read()] };
  }

  function setup() {
    const server = at('TLSv1.2', serverContext());
    server.setOcspResponse(extensionPki().ocspResponse);
    const client = at('TLSv1.2', clientContext());
    client.requestOcsp = true;
    return { client, server };
  }

  const CERTIFICATE_STATUS = 22;
  const SERVER_KEY_EXCHANGE = 12;

  it('the flight is Certificate, CertificateStatus, ServerKeyExchange (RFC 6066 §8)', () => {
    const { client, server } = setup();
    let types: number[] = [];
    editFirstFlight(client, server, (messages) => {
      types = messages.map((m) => m.type);
      return messages;
    });
    expect(types).toEqual([2, 11, CERTIFICATE_STATUS, SERVER_KEY_EXCHANGE, 14]);
  });

  it('a CertificateStatus of a type we did not ask for (ocsp_multi) → bad_certificate_status_response', () => {
    const { client, server } = setup();
    const { error, alert } = editFirstFlight(client, server, (messages) =>
      messages.map((m) =>
        m.type === CERTIFICATE_STATUS ? { ...m, body: Uint8Array.of(2, ...m.body.subarray(1)) } : m,
      ),
    );
    expect(error?.reason).toBe('INVALID_STATUS_RESPONSE');
    expect(alert).toEqual([21, 3, 3, 0, 2, 2, 113]);
  });

  it('an empty OCSPResponse → decode_error', () => {
    const { client, server } = setup();
    const { error, alert } = editFirstFlight(client, server, (messages) =>
      messages.map((m) => (m.type === CERTIFICATE_STATUS ? { ...m, body: Uint8Array.of(1, 0, 0, 0) } : m)),
    );
    expect(error).toBeDefined();
    expect(alert).toEqual([21, 3, 3, 0, 2, 2, 50]);
  });

  it('a CertificateStatus after ServerKeyExchange → unexpected_message', () => {
    const { client, server } = setup();
    const { error, alert } = editFirstFlight(client, server, (messages) => {
      const status = messages.find((m) => m.type === CERTIFICATE_STATUS)!;
      const rest = messages.filter((m) => m !== status);
      const ske = rest.findIndex((m) => m.type === SERVER_KEY_EXCHANGE);
      return [...rest.slice(0, ske + 1), status, ...rest.slice(ske + 1)];
    });
    expect(error?.reason).toBe('UNEXPECTED_MESSAGE');
    expect(alert).toEqual([21, 3, 3, 0, 2, 2, 10]);
  });

  it('a second CertificateStatus → unexpected_message', () => {
    const { client, server } = setup();
    const { error } = editFirstFlight(client, server, (messages) =>
      messages.flatMap((m) => (m.type === CERTIFICATE_STATUS ? [m, m] : [m])),
    );
    expect(error?.reason).toBe('UNEXPECTED_MESSAGE');
  });
});

// ---------------------------------------------------------------------------------------------
// certificate_authorities: the client picks the chain the server's CA list names

describe('certificate_authorities', () => {
  /** A server that only trusts the main CA; a client with an EC chain under CA B and an RSA chain under the main CA. */
  function setup(version: Version, send: boolean) {
    const x = extensionPki();
    const server = at(version, serverContext());
    server.verifyMode = CERT_REQUIRED;
    server.loadVerifyLocations({ cadata: testPki().caPem });
    server.sendCertificateAuthorities = send;
    const client = at(version, clientContext());
    // Without a CA list both versions pick the EC chain: TLS 1.3 by the server's signature order
    // (ECDSA first), TLS 1.2 by load order.
    client.loadCertChain(x.clientUnderB.certPem, x.clientUnderB.keyPem);
    client.loadCertChain(x.rsaClientUnderA.certPem, x.rsaClientUnderA.keyPem);
    return makePair(client, server);
  }

  for (const version of VERSIONS) {
    it(`${version}: with the CA list the client presents the chain under the named CA`, () => {
      const pair = setup(version, true);
      handshake(pair);
      expect(pair.server.version()).toBe(version);
      expect(pair.server.getPeerCert()).toMatchObject({ subject: [[['commonName', 'client-rsa-under-a']]] });
    });

    it(`${version}: without it the client presents its preferred chain, which the server rejects`, () => {
      const errors = handshakeUntilError(setup(version, false));
      expect((errors.server as SSLError).reason).toBe('CERTIFICATE_VERIFY_FAILED');
    });
  }

  it('a client with no chain under a named CA still sends the one it has (the list is a preference)', () => {
    const x = extensionPki();
    const server = serverContext();
    server.verifyMode = CERT_REQUIRED;
    server.loadVerifyLocations({ cadata: testPki().caPem });
    server.sendCertificateAuthorities = true;
    const client = clientContext();
    client.loadCertChain(x.clientUnderB.certPem, x.clientUnderB.keyPem);
    const errors = handshakeUntilError(makePair(client, server));
    // Not PEER_DID_NOT_RETURN_A_CERTIFICATE: the chain was sent, and failed verification.
    expect((errors.server as SSLError).reason).toBe('CERTIFICATE_VERIFY_FAILED');
  });
});

describe('certificate_authorities in the ClientHello (TLS 1.3)', () => {
  function setup(send: boolean) {
    const x = extensionPki();
    const server = serverContext(['ec256']); // EC chain under the main CA, preferred by signature order
    server.loadCertChain(x.rsaServerUnderRsaCa.certPem, x.rsaServerUnderRsaCa.keyPem);
    const client = new SSLContext(PROTOCOL_TLS_CLIENT);
    client.loadVerifyLocations({ cadata: x.rsaCa.certPem }); // trusts only the RSA CA
    client.sendCertificateAuthorities = send;
    return makePair(client, server);
  }

  it('a client naming the CA it trusts gets the chain under it', () => {
    const pair = setup(true);
    handshake(pair);
    expect(pair.client.getPeerCert()).toMatchObject({ subject: [[['commonName', 'server-rsa-under-rsa-ca']]] });
  });

  it('without the names the server sends its preferred chain, which the client cannot verify', () => {
    const errors = handshakeUntilError(setup(false));
    expect((errors.client as SSLError).reason).toBe('CERTIFICATE_VERIFY_FAILED');
  });
});

// ---------------------------------------------------------------------------------------------
// signature_algorithms_cert: the server picks a chain whose signatures the client accepts

describe('signature_algorithms_cert', () => {
  function serverWithTwoChains(version: Version): SSLContext {
    const x = extensionPki();
    const server = at(version, serverContext(['ec256'])); // EC leaf under the EC CA (ecdsa-with-SHA256)
    server.loadCertChain(x.rsaServerUnderRsaCa.certPem, x.rsaServerUnderRsaCa.keyPem); // RSA under the RSA CA
    return server;
  }

  function clientTrustingBoth(version: Version, certSchemes?: number[]): SSLContext {
    const client = at(version, clientContext());
    client.loadVerifyLocations({ cadata: extensionPki().rsaCa.certPem });
    if (certSchemes !== undefined) {
      client.replayHooks = {
        clientHelloExtensions: withExtension(
          ExtensionType.signature_algorithms_cert,
          encodeSignatureAlgorithms(certSchemes),
        ),
      };
    }
    return client;
  }

  it('TLS 1.3: without a restriction the EC chain (first in the client signature order) is chosen', () => {
    const pair = makePair(clientTrustingBoth('TLSv1.3'), serverWithTwoChains('TLSv1.3'));
    handshake(pair);
    expect(pair.client.connection.negotiated.peerCertificate?.publicKey.kind).toBe('ec');
  });

  it('TLS 1.3: a client accepting only RSA PKCS#1 certificate signatures gets the RSA-signed chain', () => {
    const pair = makePair(
      clientTrustingBoth('TLSv1.3', [SignatureScheme.rsa_pkcs1_sha256, SignatureScheme.rsa_pkcs1_sha384]),
      serverWithTwoChains('TLSv1.3'),
    );
    handshake(pair);
    expect(pair.client.connection.negotiated.peerCertificate?.publicKey.kind).toBe('rsa');
  });

  it('TLS 1.3: when no chain satisfies it, the server still sends one (RFC 8446 §4.4.2.2)', () => {
    const pair = makePair(clientTrustingBoth('TLSv1.3', [SignatureScheme.ed25519]), serverWithTwoChains('TLSv1.3'));
    handshake(pair);
    expect(pair.client.connection.negotiated.peerCertificate).not.toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------
// pre_shared_key must be the last ClientHello extension (RFC 8446 §4.2.11)

describe('pre_shared_key placement', () => {
  it('a server refuses a ClientHello whose pre_shared_key is not last (illegal_parameter)', () => {
    const client = clientContext();
    // A syntactically valid pre_shared_key (one identity, one 32-byte binder) followed by another extension.
    const psk = new Uint8Array([0, 7, 0, 1, 0xaa, 0, 0, 0, 0, 0, 33, 32, ...new Uint8Array(32)]);
    client.replayHooks = {
      clientHelloExtensions: (exts) => [
        ...exts.filter((e) => e.type !== ExtensionType.pre_shared_key && e.type !== ExtensionType.padding),
        { type: ExtensionType.pre_shared_key, body: psk },
        { type: ExtensionType.padding, body: new Uint8Array(4) },
      ],
    };
    const errors = handshakeUntilError(makePair(client, serverContext()));
    expect((errors.server as SSLError).reason).toBe('BAD_EXTENSION');
    expect(String(errors.server)).toMatch(/pre_shared_key is not the last extension/);
    expect(String(errors.client)).toMatch(/ALERT_ILLEGAL_PARAMETER/);
  });
});

// ---------------------------------------------------------------------------------------------
// Interop: OCSP with OpenSSL 3.0

const haveOpenssl = hasTool('openssl');
if (!haveOpenssl) console.log('tls13-extensions: interop skipped, the openssl CLI is not installed');

const scope = interopScope();
const { cleanups } = scope;

const OPENSSL_VERSION_FLAG = { 'TLSv1.3': '-tls1_3', 'TLSv1.2': '-tls1_2' } as const;

describe.skipIf(!haveOpenssl)('interop: OCSP stapling with OpenSSL', () => {
  for (const version of VERSIONS) {
    it(`${version}: our client gets s_server -status_file's response`, async () => {
      const x = extensionPki();
      const { port } = await opensslServer(scope, [
        OPENSSL_VERSION_FLAG[version],
        '-status_file',
        x.ocspResponseFile,
        '-www',
      ]);
      const ctx = clientContext();
      ctx.requestOcsp = true;
      const seen: (Uint8Array | null)[] = [];
      ctx.ocspResponseCallback = (response) => {
        seen.push(response);
      };
      const conn = await connectedClient(scope, port, ctx);
      expect(conn.obj.version()).toBe(version);
      expect(conn.obj.ocspResponse).toEqual(x.ocspResponse);
      expect(seen).toEqual([x.ocspResponse]);
    });

    it(`${version}: s_client -status prints the response our server staples`, async () => {
      const x = extensionPki();
      const ctx = serverContext();
      ctx.setOcspResponse(x.ocspResponse);
      const out = await sClientSession(scope, ctx, [OPENSSL_VERSION_FLAG[version], '-status'], 'stapled');
      expect(out).toMatch(/OCSP Response Status: successful/);
      expect(out).toMatch(/Cert Status: good/);
      expect(out).toMatch(/Verify return code: 0 \(ok\)/);
    });
  }

  it('s_client without -status gets no response ("OCSP response: no response sent" not printed, none stapled)', async () => {
    const ctx = serverContext();
    ctx.setOcspResponse(extensionPki().ocspResponse);
    expect(await sClientSession(scope, ctx, [], 'plain')).not.toMatch(/OCSP Response Status/);
  });
});

describe.skipIf(!haveOpenssl)('interop: certificate_authorities with OpenSSL', () => {
  for (const version of VERSIONS) {
    it(`${version}: s_server -Verify names its CA; our client picks the chain under it`, async () => {
      const x = extensionPki();
      const { port } = await opensslServer(scope, [
        OPENSSL_VERSION_FLAG[version],
        '-Verify',
        '1',
        '-CAfile',
        testPki().caFile,
        '-verify_return_error',
        '-www',
      ]);
      const ctx = clientContext();
      // Preferred without the CA list: the EC chain under CA B, which s_server would refuse.
      ctx.loadCertChain(x.clientUnderB.certPem, x.clientUnderB.keyPem);
      ctx.loadCertChain(x.rsaClientUnderA.certPem, x.rsaClientUnderA.keyPem);
      const conn = await connectedClient(scope, port, ctx);
      const page = await wwwPage(conn);
      expect(conn.obj.version()).toBe(version);
      expect(page).toContain('client-rsa-under-a');
    });

    it(`${version}: s_client lists the CA names our CertificateRequest carries`, async () => {
      const pki = testPki();
      const ctx = serverContext();
      ctx.verifyMode = CERT_OPTIONAL;
      ctx.loadVerifyLocations({ cadata: pki.caPem });
      ctx.loadVerifyLocations({ cadata: extensionPki().caB.certPem });
      ctx.sendCertificateAuthorities = true;
      const out = await sClientSession(scope, ctx, [OPENSSL_VERSION_FLAG[version]], 'named');
      expect(out).toMatch(
        /Acceptable client certificate CA names\s*\n\s*CN ?= ?sanstls test CA\s*\n\s*CN ?= ?sanstls test CA B/,
      );
    });
  }

  it('without sendCertificateAuthorities s_client sees no CA names', async () => {
    const pki = testPki();
    const ctx = serverContext();
    ctx.verifyMode = CERT_OPTIONAL;
    ctx.loadVerifyLocations({ cadata: pki.caPem });
    expect(await sClientSession(scope, ctx, [], 'unnamed')).toMatch(/No client certificate CA names sent/);
  });
});

describe('interop: OCSP stapling with Node (OpenSSL underneath; requestOCSP / OCSPRequest)', () => {
  const NODE_VERSION = { 'TLSv1.3': 'TLSv1.3', 'TLSv1.2': 'TLSv1.2' } as const;

  for (const version of VERSIONS) {
    it(`${version}: tls.connect({ requestOCSP }) gets the response our server staples ('OCSPResponse')`, async () => {
      const pki = testPki();
      const x = extensionPki();
      const ctx = serverContext();
      ctx.setOcspResponse(x.ocspResponse);
      const server = await listen(ctx, () => {});
      cleanups.push(server.close);
      const response = await within(
        15_000,
        'Node OCSPResponse',
        new Promise<Buffer>((resolve, reject) => {
          const socket = tls.connect({
            host: '127.0.0.1',
            port: server.port,
            servername: 'localhost',
            ca: pki.caPem,
            requestOCSP: true,
            minVersion: NODE_VERSION[version],
            maxVersion: NODE_VERSION[version],
          });
          cleanups.push(() => socket.destroy());
          socket.on('OCSPResponse', resolve);
          socket.on('error', reject);
        }),
      );
      expect(new Uint8Array(response)).toEqual(x.ocspResponse);
    });

    it(`${version}: our client gets what a Node server's 'OCSPRequest' handler staples`, async () => {
      const pki = testPki();
      const x = extensionPki();
      const nodeServer = tls.createServer({
        key: pki.leaf.ec256.keyPem,
        cert: pki.leaf.ec256.certPem,
        minVersion: NODE_VERSION[version],
        maxVersion: NODE_VERSION[version],
      });
      let asked = 0;
      nodeServer.on(
        'OCSPRequest',
        (_cert: Buffer, _issuer: Buffer, callback: (e: Error | null, r?: Buffer) => void) => {
          asked++;
          callback(null, Buffer.from(x.ocspResponse));
        },
      );
      nodeServer.on('secureConnection', (s) => s.end());
      await new Promise<void>((resolve) => nodeServer.listen(0, '127.0.0.1', resolve));
      cleanups.push(() => nodeServer.close());
      const ctx = clientContext();
      ctx.requestOcsp = true;
      const conn = await connect((nodeServer.address() as { port: number }).port, ctx, 'localhost');
      cleanups.push(() => conn.socket.destroy());
      await within(15_000, 'handshake with Node', conn.handshakeDone);
      expect(conn.obj.version()).toBe(version);
      expect(conn.obj.ocspResponse).toEqual(x.ocspResponse);
      expect(asked).toBe(1);
    });
  }
});
