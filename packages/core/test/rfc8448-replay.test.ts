/**
 * RFC 8448 replayed byte for byte through the public API: §3 (simple 1-RTT), §5 (HelloRetryRequest) and
 * §7 (middlebox compatibility mode) as client and as server, §6 (client authentication) as client and as
 * server (the RFC's CertificateRequest extensions through a replay hook); §4 (resumption, 0-RTT) is in
 * rfc8448-resumption-replay.test.ts. The RFC's randoms and ephemeral keys are injected
 * through the context's RNG (in the order the engine asks for them), the server's certificate comes
 * from the trace and its CertificateVerify signature is the RFC's — accepted only after checking it
 * verifies over the content our engine built. The peers of RFC 8448 sent extensions this engine does
 * not generate (session_ticket, record_size_limit, …), so the ClientHello / EncryptedExtensions /
 * HelloRetryRequest extension lists come from the trace through `replayHooks`; every other byte is
 * ours. Records after the server's NewSessionTicket on the server side are not compared: tickets
 * arrive with issue #7, so our server's sequence numbers differ from there on.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  CERT_REQUIRED,
  MemoryBIO,
  OP_ENABLE_MIDDLEBOX_COMPAT,
  PROTOCOL_TLS_CLIENT,
  PROTOCOL_TLS_SERVER,
  SSLContext,
  type SSLObject,
  SSLWantReadError,
} from '@sanstls/core';
import {
  parseCertificateRequestTls13,
  parseCertificateTls13,
  parseCertificateVerify,
  parseClientHello,
  parseEncryptedExtensions,
  parseServerHello,
  splitHandshake,
} from '@sanstls/core/codec';
import {
  nobleSignatureProvider,
  parseCertificate,
  parsePublicKey,
  signatureAlgorithmFromTlsScheme,
} from '@sanstls/x509';
import { describe, expect, it } from 'vitest';

interface Item {
  side: 'client' | 'server';
  step: string;
  label: string;
  hex: string;
}

const dir = new URL('../../../test-vectors/rfc8448/', import.meta.url);
const available = existsSync(fileURLToPath(new URL('simple-1rtt.json', dir)));
if (!available) console.log('rfc8448-replay: skipped, test-vectors/rfc8448 is missing');

function load(name: string): Item[] {
  return JSON.parse(readFileSync(fileURLToPath(new URL(name, dir)), 'utf8')).items as Item[];
}

const hex = (h: string) => Uint8Array.from(h.match(/../g) ?? [], (b) => Number.parseInt(b, 16));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** The n-th item (0-based) of a side whose step contains `step` and whose label is `label`. */
function find(items: Item[], side: 'client' | 'server', step: string, label: string, n = 0): Uint8Array {
  const matches = items.filter((i) => i.side === side && i.step.includes(step) && i.label === label);
  const item = matches[n];
  if (item === undefined) throw new Error(`no ${side} ${step} ${label} #${n}`);
  return hex(item.hex);
}

/** Records a side sent, in order. */
function records(items: Item[], side: 'client' | 'server'): Uint8Array[] {
  return items
    .filter((i) => i.side === side && i.step.startsWith('send') && i.label === 'complete record')
    .map((i) => hex(i.hex));
}

/** An RNG that hands out the given values in order and fails on any other request. */
function scriptedRandom(values: Uint8Array[]): (n: number) => Uint8Array {
  const queue = [...values];
  return (n) => {
    const next = queue.shift();
    if (next === undefined || next.length !== n)
      throw new Error(`unexpected randomBytes(${n}); next scripted value has ${next?.length}`);
    return next.slice();
  };
}

function message(items: Item[], side: 'client' | 'server', label: string, n = 0): ReturnType<typeof splitHandshake> {
  return splitHandshake(find(items, side, `construct a ${label}`, label, n));
}

function wrap(ctx: SSLContext, serverSide: boolean) {
  const incoming = new MemoryBIO();
  const outgoing = new MemoryBIO();
  const obj = ctx.wrapBio(incoming, outgoing, serverSide ? { serverSide: true } : { serverHostname: 'server' });
  return { obj, incoming, outgoing };
}

function drive(obj: SSLObject): void {
  try {
    obj.doHandshake();
  } catch (e) {
    if (!(e instanceof SSLWantReadError)) throw e;
  }
}

function clientContext(items: Item[], randoms: Uint8Array[], retry: boolean): SSLContext {
  const ctx = new SSLContext(PROTOCOL_TLS_CLIENT, {
    randomBytes: scriptedRandom(randoms),
    now: () => Date.UTC(2017, 0, 1),
  });
  ctx.checkHostname = false;
  ctx.verifyMode = 0; // the RFC's certificate is self-signed RSA-1024
  ctx.options &= ~OP_ENABLE_MIDDLEBOX_COMPAT; // RFC 8448 §3/§5 use an empty legacy_session_id
  ctx.setCiphersuites('TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_256_GCM_SHA384');
  ctx.setGroups(retry ? ['x25519', 'secp256r1'] : ['x25519']);
  const hellos = [
    message(items, 'client', 'ClientHello', 0),
    retry ? message(items, 'client', 'ClientHello', 1) : undefined,
  ];
  ctx.replayHooks = {
    clientHelloExtensions: (_defaults, second) => {
      const m = hellos[second ? 1 : 0]!;
      return parseClientHello(m.body, m.raw).extensions;
    },
  };
  return ctx;
}

function serverContext(items: Item[], randoms: Uint8Array[], retry: boolean): SSLContext {
  const ctx = new SSLContext(PROTOCOL_TLS_SERVER, {
    randomBytes: scriptedRandom(randoms),
    now: () => Date.UTC(2017, 0, 1),
  });
  ctx.setCiphersuites('TLS_AES_128_GCM_SHA256');
  ctx.setGroups(retry ? ['secp256r1'] : ['x25519']);
  // Our tickets (and their random age_add, id, key) cannot equal the trace's: none here.
  ctx.numTickets = 0;
  const certificate = parseCertificateTls13(message(items, 'server', 'Certificate').body);
  const certDer = certificate.certificateList[0]!.certData;
  const rfcSignature = parseCertificateVerify(message(items, 'server', 'CertificateVerify').body);
  const publicKey = parsePublicKey(parseCertificate(certDer).spki.der);
  const pem = `-----BEGIN CERTIFICATE-----\n${Buffer.from(certDer).toString('base64')}\n-----END CERTIFICATE-----\n`;
  ctx.loadCertChainWithSigner(pem, (scheme, content) => {
    // The RFC's signature must verify over exactly the content we built.
    expect(scheme).toBe(rfcSignature.algorithm);
    const ok = nobleSignatureProvider.verify(
      signatureAlgorithmFromTlsScheme(scheme)!,
      publicKey,
      content,
      rfcSignature.signature,
    );
    if (!ok) throw new Error('the RFC signature does not cover our CertificateVerify content');
    return rfcSignature.signature;
  });
  const ee = parseEncryptedExtensions(message(items, 'server', 'EncryptedExtensions').body).extensions;
  ctx.replayHooks = {
    encryptedExtensions: () => ee,
    helloRetryRequestExtensions: () => {
      const hrr = parseServerHello(message(items, 'server', 'ServerHello', 0).body);
      return hrr.extensions;
    },
  };
  return ctx;
}

describe.skipIf(!available)('RFC 8448 §3 simple 1-RTT', () => {
  const items = available ? load('simple-1rtt.json') : [];

  it('client side: every record we send equals the RFC', () => {
    const clientRandom = parseClientHello(message(items, 'client', 'ClientHello').body).random;
    const ctx = clientContext(items, [clientRandom, find(items, 'client', 'ephemeral x25519', 'private key')], false);
    const { obj, incoming, outgoing } = wrap(ctx, false);
    const [ch, fin, app, alert] = records(items, 'client');
    const [sh, flight, ticket, serverApp] = records(items, 'server');
    drive(obj);
    expect(toHex(outgoing.read())).toBe(toHex(ch!));
    incoming.write(sh!);
    incoming.write(flight!);
    drive(obj);
    expect(obj.version()).toBe('TLSv1.3');
    expect(toHex(outgoing.read())).toBe(toHex(fin!));
    incoming.write(ticket!);
    expect(() => obj.read()).toThrow(SSLWantReadError);
    obj.write(find(items, 'client', 'send application_data', 'payload'));
    expect(toHex(outgoing.read())).toBe(toHex(app!));
    incoming.write(serverApp!);
    expect(toHex(obj.read(1000))).toBe(toHex(find(items, 'server', 'send application_data', 'payload')));
    expect(() => obj.unwrap()).toThrow(SSLWantReadError);
    expect(toHex(outgoing.read())).toBe(toHex(alert!));
  });

  it('server side: ServerHello and the encrypted flight equal the RFC; the client Finished verifies', () => {
    const sh = parseServerHello(message(items, 'server', 'ServerHello').body);
    if (sh.kind !== 'server_hello') throw new Error('expected a ServerHello');
    const ctx = serverContext(items, [find(items, 'server', 'ephemeral x25519', 'private key'), sh.random], false);
    const { obj, incoming, outgoing } = wrap(ctx, true);
    const [ch, fin, app] = records(items, 'client');
    const [shRecord, flight] = records(items, 'server');
    incoming.write(ch!);
    drive(obj);
    expect(toHex(outgoing.read())).toBe(toHex(shRecord!) + toHex(flight!));
    incoming.write(fin!);
    drive(obj);
    expect(obj.version()).toBe('TLSv1.3');
    incoming.write(app!);
    expect(toHex(obj.read(1000))).toBe(toHex(find(items, 'client', 'send application_data', 'payload')));
  });
});

describe.skipIf(!available)('RFC 8448 §5 HelloRetryRequest', () => {
  const items = available ? load('hello-retry-request.json') : [];

  it('client side: both ClientHellos and the Finished equal the RFC', () => {
    const clientRandom = parseClientHello(message(items, 'client', 'ClientHello').body).random;
    const ctx = clientContext(
      items,
      [
        clientRandom,
        find(items, 'client', 'ephemeral x25519', 'private key'),
        find(items, 'client', 'ephemeral P-256', 'private key'),
      ],
      true,
    );
    const { obj, incoming, outgoing } = wrap(ctx, false);
    const [ch1, ch2, fin, alert] = records(items, 'client');
    const [hrr, sh, flight] = records(items, 'server');
    drive(obj);
    expect(toHex(outgoing.read())).toBe(toHex(ch1!));
    incoming.write(hrr!);
    drive(obj);
    expect(toHex(outgoing.read())).toBe(toHex(ch2!));
    incoming.write(sh!);
    incoming.write(flight!);
    drive(obj);
    expect(obj.version()).toBe('TLSv1.3');
    expect(toHex(outgoing.read())).toBe(toHex(fin!));
    expect(() => obj.unwrap()).toThrow(SSLWantReadError);
    expect(toHex(outgoing.read())).toBe(toHex(alert!));
  });

  it('server side: HelloRetryRequest, ServerHello and the encrypted flight equal the RFC', () => {
    const sh = parseServerHello(message(items, 'server', 'ServerHello', 1).body);
    if (sh.kind !== 'server_hello') throw new Error('expected a ServerHello');
    const ctx = serverContext(
      items,
      [new Uint8Array(32), find(items, 'server', 'ephemeral P-256', 'private key'), sh.random],
      true,
    );
    const { obj, incoming, outgoing } = wrap(ctx, true);
    const [ch1, ch2, fin, alert] = records(items, 'client');
    const [hrr, shRecord, flight, serverAlert] = records(items, 'server');
    incoming.write(ch1!);
    drive(obj);
    expect(toHex(outgoing.read())).toBe(toHex(hrr!));
    incoming.write(ch2!);
    drive(obj);
    expect(toHex(outgoing.read())).toBe(toHex(shRecord!) + toHex(flight!));
    incoming.write(fin!);
    drive(obj);
    expect(obj.version()).toBe('TLSv1.3');
    // §5 has no ticket: the server's close_notify matches too.
    incoming.write(alert!);
    expect(() => obj.unwrap()).not.toThrow();
    expect(toHex(outgoing.read())).toBe(toHex(serverAlert!));
  });
});

describe.skipIf(!available)('RFC 8448 §7 compatibility mode', () => {
  const items = available ? load('compatibility-mode.json') : [];

  it('client side: ClientHello with a session id, then change_cipher_spec before the Finished', () => {
    const hello = parseClientHello(message(items, 'client', 'ClientHello').body);
    const ctx = clientContext(
      items,
      [hello.random, hello.legacySessionId, find(items, 'client', 'ephemeral x25519', 'private key')],
      false,
    );
    ctx.options |= OP_ENABLE_MIDDLEBOX_COMPAT;
    const { obj, incoming, outgoing } = wrap(ctx, false);
    const [ch, ccs, fin, alert] = records(items, 'client');
    const [sh, serverCcs, flight] = records(items, 'server');
    drive(obj);
    expect(toHex(outgoing.read())).toBe(toHex(ch!));
    incoming.write(new Uint8Array([...sh!, ...serverCcs!, ...flight!]));
    drive(obj);
    expect(obj.version()).toBe('TLSv1.3');
    expect(toHex(outgoing.read())).toBe(toHex(ccs!) + toHex(fin!));
    expect(() => obj.unwrap()).toThrow(SSLWantReadError);
    expect(toHex(outgoing.read())).toBe(toHex(alert!));
  });

  it('server side: ServerHello, change_cipher_spec, then the encrypted flight', () => {
    const sh = parseServerHello(message(items, 'server', 'ServerHello').body);
    if (sh.kind !== 'server_hello') throw new Error('expected a ServerHello');
    const ctx = serverContext(items, [find(items, 'server', 'ephemeral x25519', 'private key'), sh.random], false);
    const { obj, incoming, outgoing } = wrap(ctx, true);
    const [ch, ccs, fin, alert] = records(items, 'client');
    const [shRecord, serverCcs, flight, serverAlert] = records(items, 'server');
    incoming.write(ch!);
    drive(obj);
    expect(toHex(outgoing.read())).toBe(toHex(shRecord!) + toHex(serverCcs!) + toHex(flight!));
    incoming.write(new Uint8Array([...ccs!, ...fin!]));
    drive(obj);
    expect(obj.version()).toBe('TLSv1.3');
    incoming.write(alert!);
    obj.unwrap();
    expect(toHex(outgoing.read())).toBe(toHex(serverAlert!));
  });
});

describe.skipIf(!available)('RFC 8448 §6 client authentication', () => {
  const items = available ? load('client-authentication.json') : [];

  it('client side: Certificate, CertificateVerify and Finished in one record equal the RFC', () => {
    const clientRandom = parseClientHello(message(items, 'client', 'ClientHello').body).random;
    const ctx = clientContext(items, [clientRandom, find(items, 'client', 'ephemeral x25519', 'private key')], false);
    const clientCert = parseCertificateTls13(message(items, 'client', 'Certificate').body).certificateList[0]!.certData;
    const rfcSignature = parseCertificateVerify(message(items, 'client', 'CertificateVerify').body);
    const publicKey = parsePublicKey(parseCertificate(clientCert).spki.der);
    const pem = `-----BEGIN CERTIFICATE-----\n${Buffer.from(clientCert).toString('base64')}\n-----END CERTIFICATE-----\n`;
    ctx.loadCertChainWithSigner(pem, (scheme, content) => {
      expect(scheme).toBe(rfcSignature.algorithm);
      const ok = nobleSignatureProvider.verify(
        signatureAlgorithmFromTlsScheme(scheme)!,
        publicKey,
        content,
        rfcSignature.signature,
      );
      if (!ok) throw new Error('the RFC signature does not cover our CertificateVerify content');
      return rfcSignature.signature;
    });
    const { obj, incoming, outgoing } = wrap(ctx, false);
    const [ch, flightRecord, alert] = records(items, 'client');
    const [sh, flight] = records(items, 'server');
    drive(obj);
    expect(toHex(outgoing.read())).toBe(toHex(ch!));
    incoming.write(new Uint8Array([...sh!, ...flight!]));
    drive(obj);
    expect(obj.version()).toBe('TLSv1.3');
    expect(toHex(outgoing.read())).toBe(toHex(flightRecord!));
    expect(() => obj.unwrap()).toThrow(SSLWantReadError);
    expect(toHex(outgoing.read())).toBe(toHex(alert!));
  });

  it('server side: the CertificateRequest flight equals the RFC; the client certificate and Finished verify', () => {
    const sh = parseServerHello(message(items, 'server', 'ServerHello').body);
    if (sh.kind !== 'server_hello') throw new Error('expected a ServerHello');
    const ctx = serverContext(items, [find(items, 'server', 'ephemeral x25519', 'private key'), sh.random], false);
    // The RFC's CertificateRequest lists its own signature algorithms (a replay hook, like the EE's).
    const request = parseCertificateRequestTls13(message(items, 'server', 'CertificateRequest').body);
    ctx.replayHooks = { ...ctx.replayHooks, certificateRequestExtensions: () => request.extensions };
    ctx.verifyMode = CERT_REQUIRED;
    // The RFC's client certificate is self-signed RSA-1024: accept it by callback, after the engine
    // checked its CertificateVerify signature and the Finished.
    ctx.verifyCallback = (info) => info.chain.length === 1;
    const { obj, incoming, outgoing } = wrap(ctx, true);
    const [ch, clientFlight, alert] = records(items, 'client');
    const [shRecord, flight, serverAlert] = records(items, 'server');
    incoming.write(ch!);
    drive(obj);
    expect(toHex(outgoing.read())).toBe(toHex(shRecord!) + toHex(flight!));
    incoming.write(clientFlight!);
    drive(obj);
    expect(obj.version()).toBe('TLSv1.3');
    const clientCert = parseCertificateTls13(message(items, 'client', 'Certificate').body).certificateList[0]!.certData;
    expect(toHex(obj.getPeerCert(true)!)).toBe(toHex(clientCert));
    incoming.write(alert!);
    obj.unwrap();
    expect(toHex(outgoing.read())).toBe(toHex(serverAlert!));
  });
});
