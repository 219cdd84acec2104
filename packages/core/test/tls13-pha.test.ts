/**
 * TLS 1.3 post-handshake client authentication (RFC 8446 §4.2.6, §4.6.2) in memory, through Python's API:
 * `ctx.postHandshakeAuth` on both sides, `verifyClientPostHandshake()` on the server, the client's
 * Certificate/CertificateVerify/Finished answer processed by later reads; Python's preconditions; an
 * empty answer under CERT_REQUIRED → certificate_required; an untrusted certificate → unknown_ca; a
 * CertificateRequest the client did not agree to → unexpected_message.
 */
import { CERT_OPTIONAL, CERT_REQUIRED, type SSLContext, type SSLError } from '@sanstls/core';
import { describe, expect, it } from 'vitest';
import {
  clientContext,
  handshake,
  makePair,
  type Pair,
  readAll,
  serverContext,
  testPki,
  transfer,
} from './helpers/tls-pair.js';

const text = (b: Uint8Array) => new TextDecoder().decode(b);

function contexts(withClientCert = true, verifyMode = CERT_REQUIRED): { client: SSLContext; server: SSLContext } {
  const pki = testPki();
  const client = clientContext();
  client.postHandshakeAuth = true;
  if (withClientCert) client.loadCertChain(pki.client.certPem, pki.client.keyPem);
  const server = serverContext();
  server.postHandshakeAuth = true;
  server.verifyMode = verifyMode;
  server.loadVerifyLocations({ cadata: pki.caPem });
  return { client, server };
}

/** Reads until nothing more arrives (processing post-handshake messages); returns what was read. */
function pumpRead(pair: Pair, side: 'client' | 'server'): string {
  const out = text(readAll(pair[side]));
  transfer(pair);
  return out;
}

describe('post-handshake client authentication', () => {
  it('the server asks after the handshake; the client answers on its next read; the certificate is known', () => {
    const { client, server } = contexts();
    const pair = makePair(client, server);
    handshake(pair);
    // No CertificateRequest in the handshake (the client offered post_handshake_auth).
    expect(pair.server.getPeerCert()).toBeNull();
    pair.server.verifyClientPostHandshake();
    transfer(pair);
    pumpRead(pair, 'client'); // processes the CertificateRequest, sends the answer
    pumpRead(pair, 'server'); // processes Certificate, CertificateVerify, Finished
    expect(pair.server.connection.postHandshakeAuthPending).toBe(false);
    expect(pair.server.getPeerCert()).toMatchObject({ subject: [[['commonName', 'client']]] });
    // Traffic continues both ways.
    pair.client.write('after');
    transfer(pair);
    expect(pumpRead(pair, 'server')).toBe('after');
    pair.server.write('back');
    transfer(pair);
    expect(pumpRead(pair, 'client')).toBe('back');
    // A second request (a fresh context) works as well.
    pair.server.verifyClientPostHandshake();
    transfer(pair);
    pumpRead(pair, 'client');
    pumpRead(pair, 'server');
    expect(pair.server.connection.postHandshakeAuthPending).toBe(false);
  });

  it('refuses a second request while one is pending, and any request in Python’s forbidden cases', () => {
    const { client, server } = contexts();
    const pair = makePair(client, server);
    handshake(pair);
    pair.server.verifyClientPostHandshake();
    expect(() => pair.server.verifyClientPostHandshake()).toThrow(/in progress/);
    expect(() => pair.client.verifyClientPostHandshake()).toThrow(/NOT_SERVER/);
    // A client that did not enable it: the server requests its certificate in the handshake instead.
    const plain = contexts();
    plain.client.postHandshakeAuth = false;
    const noPha = makePair(plain.client, plain.server);
    handshake(noPha);
    expect(noPha.server.getPeerCert()).toMatchObject({ subject: [[['commonName', 'client']]] });
    expect(() => noPha.server.verifyClientPostHandshake()).toThrow(/EXTENSION_NOT_RECEIVED/);
    // Before the handshake.
    const early = makePair(contexts().client, contexts().server);
    expect(() => early.server.verifyClientPostHandshake()).toThrow(/STILL_IN_INIT/);
  });

  it('an empty answer under CERT_REQUIRED → certificate_required; under CERT_OPTIONAL the connection goes on', () => {
    const required = contexts(false, CERT_REQUIRED);
    const pair = makePair(required.client, required.server);
    handshake(pair);
    pair.server.verifyClientPostHandshake();
    transfer(pair);
    pumpRead(pair, 'client');
    expect(() => pair.server.read()).toThrow(/PEER_DID_NOT_RETURN_A_CERTIFICATE/);
    transfer(pair);
    expect(() => pair.client.read()).toThrow(/CERTIFICATE_REQUIRED/);

    const optional = contexts(false, CERT_OPTIONAL);
    const ok = makePair(optional.client, optional.server);
    handshake(ok);
    ok.server.verifyClientPostHandshake();
    transfer(ok);
    pumpRead(ok, 'client');
    pumpRead(ok, 'server');
    expect(ok.server.getPeerCert()).toBeNull();
    ok.client.write('still here');
    transfer(ok);
    expect(pumpRead(ok, 'server')).toBe('still here');
  });

  it('an untrusted client certificate fails verification (unknown_ca)', () => {
    const { client } = contexts();
    const pki = testPki();
    const untrusting = serverContext();
    untrusting.postHandshakeAuth = true;
    untrusting.verifyMode = CERT_REQUIRED;
    untrusting.loadVerifyLocations({ cadata: pki.leaf.ec384.certPem }); // not the client's issuer
    const pair = makePair(client, untrusting);
    handshake(pair);
    pair.server.verifyClientPostHandshake();
    transfer(pair);
    pumpRead(pair, 'client');
    let error: SSLError | undefined;
    try {
      pair.server.read();
    } catch (e) {
      error = e as SSLError;
    }
    expect(error?.reason).toBe('CERTIFICATE_VERIFY_FAILED');
    transfer(pair);
    expect(() => pair.client.read()).toThrow(/ALERT_UNKNOWN_CA/);
  });

  it('a CertificateRequest the client did not agree to → unexpected_message', () => {
    const { client, server } = contexts();
    client.postHandshakeAuth = false;
    server.verifyMode = CERT_OPTIONAL;
    const pair = makePair(client, server);
    handshake(pair);
    // A misbehaving server: pretend the client offered post_handshake_auth.
    pair.server.connection.negotiated.postHandshakeAuth = true;
    pair.server.verifyClientPostHandshake();
    transfer(pair);
    expect(() => pair.client.read()).toThrow(/CertificateRequest without post_handshake_auth/);
    transfer(pair);
    expect(() => pair.server.read()).toThrow(/ALERT_UNEXPECTED_MESSAGE/);
  });

  it('works on a resumed connection; the ticket sent after it carries the client certificate', () => {
    const { client, server } = contexts();
    const first = makePair(client, server);
    handshake(first);
    first.server.write('t');
    transfer(first);
    pumpRead(first, 'client');
    const session = first.client.session!;
    const resumed = makePair(client, server);
    resumed.client = client.wrapBio(resumed.clientIn, resumed.clientOut, { serverHostname: 'localhost', session });
    handshake(resumed);
    expect(resumed.server.sessionReused).toBe(true);
    expect(resumed.server.getPeerCert()).toBeNull();
    const ticketsBefore = resumed.client.connection.ticketsReceived;
    resumed.server.verifyClientPostHandshake();
    transfer(resumed);
    pumpRead(resumed, 'client');
    pumpRead(resumed, 'server');
    pumpRead(resumed, 'client');
    expect(resumed.server.getPeerCert()).toMatchObject({ subject: [[['commonName', 'client']]] });
    expect(resumed.client.connection.ticketsReceived).toBe(ticketsBefore + 1);
    // Resuming from that ticket, the server knows the client without asking again.
    const again = makePair(client, server);
    again.client = client.wrapBio(again.clientIn, again.clientOut, {
      serverHostname: 'localhost',
      session: resumed.client.session,
    });
    handshake(again);
    expect(again.server.sessionReused).toBe(true);
    expect(again.server.getPeerCert()).toMatchObject({ subject: [[['commonName', 'client']]] });
  });

  it('an asynchronous verifier (server) and signer (client) park the connection at their suspension points', async () => {
    const pki = testPki();
    const client = clientContext();
    client.postHandshakeAuth = true;
    const keyCtx = clientContext();
    keyCtx.loadCertChain(pki.client.certPem, pki.client.keyPem);
    const key = keyCtx.engineConfig().certificates[0]!;
    let signed = 0;
    client.loadCertChainWithSigner(pki.client.certPem, async (scheme, content) => {
      await new Promise((r) => setTimeout(r, 5));
      signed++;
      return key.sign(scheme, content);
    });
    const server = serverContext();
    server.postHandshakeAuth = true;
    server.verifyMode = CERT_REQUIRED;
    server.loadVerifyLocations({ cadata: pki.caPem });
    let verified = 0;
    server.verifyCallback = async (info) => {
      await new Promise((r) => setTimeout(r, 5));
      verified++;
      return info.preverified;
    };
    const pair = makePair(client, server);
    handshake(pair);
    pair.server.verifyClientPostHandshake();
    transfer(pair);
    pumpRead(pair, 'client');
    expect(pair.client.suspensionPoint).toBe('signCertificateVerify');
    await new Promise((r) => setTimeout(r, 30));
    pumpRead(pair, 'client'); // resumes: CertificateVerify and Finished go out
    expect(signed).toBe(1);
    expect(pair.client.suspensionPoint).toBeNull();
    pumpRead(pair, 'server');
    expect(pair.server.suspensionPoint).toBe('verifyPeerCertificate');
    await new Promise((r) => setTimeout(r, 30));
    pumpRead(pair, 'server');
    expect(verified).toBe(1);
    expect(pair.server.connection.postHandshakeAuthPending).toBe(false);
    expect(pair.server.getPeerCert()).toMatchObject({ subject: [[['commonName', 'client']]] });
  });
});
