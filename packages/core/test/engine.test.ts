/**
 * In-memory client↔server handshakes through MemoryBIOs: every suite × group, every certificate type,
 * HelloRetryRequest, ALPN, SNI context swap, mutual TLS, KeyUpdate, close_notify and half-close, EOF,
 * byte-at-a-time delivery, named suspension points.
 */
import {
  ALERT_DESCRIPTION_ACCESS_DENIED,
  CERT_NONE,
  CERT_OPTIONAL,
  CERT_REQUIRED,
  type MemoryBIO,
  PROTOCOL_TLS_SERVER,
  SSLContext,
  SSLEOFError,
  SSLError,
  SSLWantReadError,
  SSLZeroReturnError,
} from '@sanstls/core';
import { describe, expect, it } from 'vitest';
import {
  clientContext,
  handshake,
  handshakeUntilError,
  type KeyType,
  makePair,
  readAll,
  serverContext,
  testPki,
  transfer,
} from './helpers/tls-pair.js';

const text = (b: Uint8Array) => new TextDecoder().decode(b);

function roundTrip(pair: ReturnType<typeof makePair>, size = 100): void {
  const up = new Uint8Array(size).map((_, i) => i * 7);
  pair.client.write(up);
  transfer(pair);
  expect(readAll(pair.server)).toEqual(up);
  pair.server.write('pong');
  transfer(pair);
  expect(text(readAll(pair.client))).toBe('pong');
}

function expectSSLError(fn: () => unknown): SSLError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SSLError);
    return e as SSLError;
  }
  throw new Error('expected an SSLError');
}

describe('suites × groups', () => {
  const suites = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];
  const groups = ['x25519', 'secp256r1', 'secp384r1', 'X25519MLKEM768'];
  for (const suite of suites) {
    for (const group of groups) {
      it(`${suite} with ${group}`, () => {
        const client = clientContext();
        client.setCiphersuites(suite);
        client.setGroups([group]);
        const pair = makePair(client, serverContext());
        handshake(pair);
        expect(pair.client.cipher()).toEqual([suite, 'TLSv1.3', suite.includes('128') ? 128 : 256]);
        expect(pair.server.cipher()?.[0]).toBe(suite);
        expect(pair.client.connection.negotiated.group).toBe(group);
        roundTrip(pair);
      });
    }
  }

  it('offers X25519MLKEM768 and X25519 key shares by default and the server takes the hybrid', () => {
    const pair = makePair(clientContext(), serverContext());
    handshake(pair);
    expect(pair.server.connection.negotiated.group).toBe('X25519MLKEM768');
  });

  it('prefers ChaCha20-Poly1305 with the pure-JS provider', () => {
    const pair = makePair(clientContext(), serverContext());
    handshake(pair);
    expect(pair.client.cipher()?.[0]).toBe('TLS_CHACHA20_POLY1305_SHA256');
  });

  it('server preference decides unless OP_CIPHER_SERVER_PREFERENCE is cleared', () => {
    const client = clientContext();
    client.setCiphersuites('TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384');
    const server = serverContext();
    server.setCiphersuites('TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256');
    let pair = makePair(client, server);
    handshake(pair);
    expect(pair.client.cipher()?.[0]).toBe('TLS_AES_256_GCM_SHA384');
    server.options &= ~0x00400000;
    pair = makePair(client, server);
    handshake(pair);
    expect(pair.client.cipher()?.[0]).toBe('TLS_AES_128_GCM_SHA256');
  });

  it('fails with NO_SHARED_CIPHER and the client sees the handshake_failure alert', () => {
    const client = clientContext();
    client.setCiphersuites('TLS_AES_128_GCM_SHA256');
    const server = serverContext();
    server.setCiphersuites('TLS_AES_256_GCM_SHA384');
    const errors = handshakeUntilError(makePair(client, server));
    expect((errors.server as SSLError).reason).toBe('NO_SHARED_CIPHER');
    expect((errors.client as SSLError).reason).toBe('SSLV3_ALERT_HANDSHAKE_FAILURE');
  });
});

describe('certificate types', () => {
  const types: KeyType[] = ['ec256', 'ec384', 'rsa2048', 'rsapss', 'ed25519'];
  for (const type of types) {
    it(`authenticates a ${type} server certificate`, () => {
      const pair = makePair(clientContext(), serverContext([type]));
      handshake(pair);
      const peer = pair.client.getPeerCert();
      expect(peer).toMatchObject({ subject: [[['commonName', `server-${type}`]]] });
      roundTrip(pair);
    });
  }

  it('signs with rsa_pss_pss_* for an id-RSASSA-PSS key and rsa_pss_rsae_* for an rsaEncryption key (RFC 8446 §4.2.3)', () => {
    for (const [type, scheme] of [
      ['rsapss', 0x0809],
      ['rsa2048', 0x0804],
    ] as const) {
      const pair = makePair(clientContext(), serverContext([type]));
      handshake(pair);
      expect(pair.client.connection.negotiated.peerSignatureScheme).toBe(scheme);
    }
  });

  it('uses a P-521 certificate only when the client asks for secp521r1', () => {
    const client = clientContext();
    const server = serverContext(['ec521']);
    server.minimumVersion = 0x0304; // the TLS 1.3 rule (TLS 1.2 does not bind the curve to the scheme)
    const errors = handshakeUntilError(makePair(client, server));
    expect((errors.server as SSLError).reason).toBe('NO_SUITABLE_SIGNATURE_ALGORITHM');
    const asking = clientContext();
    asking.setGroups(['x25519', 'secp521r1']);
    const pair = makePair(asking, serverContext(['ec521']));
    handshake(pair);
    expect(pair.client.connection.negotiated.peerSignatureScheme).toBe(0x0603);
  });

  it('picks the ECDSA chain of an RSA + ECDSA server for a client preferring ECDSA', () => {
    const pair = makePair(clientContext(), serverContext(['rsa2048', 'ec256']));
    handshake(pair);
    expect(pair.client.connection.negotiated.peerSignatureScheme).toBe(0x0403);
  });
});

describe('HelloRetryRequest', () => {
  it('retries when the client shared x25519 only and the server wants secp256r1', () => {
    const client = clientContext();
    client.setGroups(['x25519', 'secp256r1']);
    const server = serverContext();
    server.setGroups(['secp256r1']);
    const pair = makePair(client, server);
    handshake(pair);
    expect(pair.client.connection.negotiated.helloRetried).toBe(true);
    expect(pair.server.connection.negotiated.group).toBe('secp256r1');
    roundTrip(pair);
  });

  it('retries without middlebox compatibility too', () => {
    const client = clientContext();
    client.options &= ~0x00100000;
    client.setGroups(['x25519', 'secp384r1']);
    const server = serverContext();
    server.setGroups(['secp384r1']);
    const pair = makePair(client, server);
    handshake(pair);
    expect(pair.server.connection.negotiated.group).toBe('secp384r1');
  });

  it('fails with NO_SHARED_GROUPS when no group is common', () => {
    const client = clientContext();
    client.setGroups(['x25519']);
    const server = serverContext();
    server.setGroups(['secp384r1']);
    const errors = handshakeUntilError(makePair(client, server));
    expect((errors.server as SSLError).reason).toBe('NO_SHARED_GROUPS');
    expect((errors.client as SSLError).reason).toBe('SSLV3_ALERT_HANDSHAKE_FAILURE');
  });
});

describe('ALPN', () => {
  const cases: [string[], string[], string | null | 'error'][] = [
    [['h2', 'http/1.1'], ['http/1.1', 'h2'], 'http/1.1'],
    [['h2'], ['h2'], 'h2'],
    [['h2'], [], null],
    [[], ['h2'], null],
    [['h2'], ['spdy/3'], 'error'],
  ];
  for (const [clientProtocols, serverProtocols, expected] of cases) {
    it(`client ${JSON.stringify(clientProtocols)} / server ${JSON.stringify(serverProtocols)} → ${expected}`, () => {
      const client = clientContext();
      client.setAlpnProtocols(clientProtocols);
      const server = serverContext();
      server.setAlpnProtocols(serverProtocols);
      const pair = makePair(client, server);
      if (expected === 'error') {
        const errors = handshakeUntilError(pair);
        expect((errors.server as SSLError).reason).toBe('NO_APPLICATION_PROTOCOL');
        expect((errors.client as SSLError).reason).toBe('TLSV1_ALERT_NO_APPLICATION_PROTOCOL');
        return;
      }
      handshake(pair);
      expect(pair.client.selectedAlpnProtocol()).toBe(expected);
      expect(pair.server.selectedAlpnProtocol()).toBe(expected);
    });
  }
});

describe('SNI', () => {
  it('passes the server name to the callback, which swaps the context', () => {
    const second = serverContext(['ed25519']);
    const first = serverContext(['ec256']);
    const seen: (string | null)[] = [];
    first.sniCallback = (sslObject, name, ctx) => {
      seen.push(name);
      expect(ctx).toBe(first);
      sslObject.context = second;
    };
    const pair = makePair(clientContext(), first);
    handshake(pair);
    expect(seen).toEqual(['localhost']);
    expect(pair.server.context).toBe(second);
    expect(pair.client.getPeerCert()).toMatchObject({ subject: [[['commonName', 'server-ed25519']]] });
  });

  it('sends no server_name for an IP literal (RFC 6066 §3) and verifies the IP SAN', () => {
    const server = serverContext();
    const seen: (string | null)[] = [];
    server.sniCallback = (_s, name) => {
      seen.push(name);
    };
    const pair = makePair(clientContext(), server, '127.0.0.1');
    handshake(pair);
    expect(seen).toEqual([null]);
  });

  it('aborts with the alert the callback returns', () => {
    const server = serverContext();
    server.sniCallback = () => ALERT_DESCRIPTION_ACCESS_DENIED;
    const errors = handshakeUntilError(makePair(clientContext(), server));
    expect((errors.client as SSLError).reason).toBe('TLSV1_ALERT_ACCESS_DENIED');
  });

  it('aborts with handshake_failure when the callback throws', () => {
    const server = serverContext();
    server.sniCallback = () => {
      throw new Error('boom');
    };
    const errors = handshakeUntilError(makePair(clientContext(), server));
    expect((errors.client as SSLError).reason).toBe('SSLV3_ALERT_HANDSHAKE_FAILURE');
  });

  it('parks at the serverNameCallback point while an async callback runs', async () => {
    const server = serverContext();
    const swapped = serverContext(['ec384']);
    let release!: () => void;
    server.sniCallback = (sslObject) =>
      new Promise<undefined>((resolve) => {
        release = () => {
          sslObject.context = swapped;
          resolve(undefined);
        };
      });
    const pair = makePair(clientContext(), server);
    expect(() => pair.client.doHandshake()).toThrow(SSLWantReadError);
    transfer(pair);
    expect(() => pair.server.doHandshake()).toThrow(SSLWantReadError);
    expect(pair.server.suspensionPoint).toBe('serverNameCallback');
    const resumed = new Promise<void>((resolve) => {
      pair.server.onResume = resolve;
    });
    release();
    await resumed;
    handshake(pair);
    expect(pair.client.getPeerCert()).toMatchObject({ subject: [[['commonName', 'server-ec384']]] });
  });
});

describe('certificate verification', () => {
  it('rejects a wrong hostname with CERTIFICATE_VERIFY_FAILED and alerts the server', () => {
    const errors = handshakeUntilError(makePair(clientContext(), serverContext(), 'example.com'));
    expect((errors.client as SSLError).reason).toBe('CERTIFICATE_VERIFY_FAILED');
    expect((errors.server as SSLError).reason).toMatch(/^(SSLV3|TLSV1)_ALERT_/);
  });

  it('rejects an untrusted issuer with unknown_ca', () => {
    const client = new SSLContext(16);
    const errors = handshakeUntilError(makePair(client, serverContext()));
    expect((errors.client as SSLError).reason).toBe('CERTIFICATE_VERIFY_FAILED');
    expect((errors.server as SSLError).reason).toBe('TLSV1_ALERT_UNKNOWN_CA');
  });

  it('returns {} from getPeerCert with CERT_NONE, DER with binaryForm', () => {
    const client = new SSLContext(16);
    client.checkHostname = false;
    client.verifyMode = CERT_NONE;
    const pair = makePair(client, serverContext());
    handshake(pair);
    expect(pair.client.getPeerCert()).toEqual({});
    expect(pair.client.getPeerCert(true)).toBeInstanceOf(Uint8Array);
  });

  it('honours pinned SPKI hashes', () => {
    const pki = testPki();
    const client = clientContext();
    client.pinnedPublicKeys = ['AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='];
    let errors = handshakeUntilError(makePair(client, serverContext()));
    expect((errors.client as SSLError).reason).toBe('PINNED_KEY_MISMATCH');
    const der = Uint8Array.from(atob(pki.leaf.ec256.certPem.replace(/-----[^-]+-----|\s/g, '')), (c) =>
      c.charCodeAt(0),
    );
    client.pinnedPublicKeys = [client.spkiPin(der)];
    const pair = makePair(client, serverContext());
    handshake(pair);
    errors = { client: undefined, server: undefined };
    expect(errors.client).toBeUndefined();
  });

  it('lets a verify callback reject, accept, or answer asynchronously', async () => {
    const rejecting = clientContext();
    rejecting.verifyCallback = () => false;
    const errors = handshakeUntilError(makePair(rejecting, serverContext()));
    expect((errors.client as SSLError).reason).toBe('CERTIFICATE_VERIFY_FAILED');

    const lenient = clientContext();
    lenient.verifyCallback = (info) => {
      expect(info.preverified).toBe(false);
      return true;
    };
    handshake(makePair(lenient, serverContext(), 'wrong.example'));

    const later = clientContext();
    later.verifyCallback = (info) => Promise.resolve(info.preverified);
    const pair = makePair(later, serverContext());
    expect(() => pair.client.doHandshake()).toThrow(SSLWantReadError);
    transfer(pair);
    expect(() => pair.server.doHandshake()).toThrow(SSLWantReadError);
    transfer(pair);
    expect(() => pair.client.doHandshake()).toThrow(SSLWantReadError);
    expect(pair.client.suspensionPoint).toBe('verifyPeerCertificate');
    await new Promise((r) => setTimeout(r, 0));
    handshake(pair);
    roundTrip(pair);
  });

  it('parks at signCertificateVerify with an async signer', async () => {
    const pki = testPki();
    const server = new SSLContext(PROTOCOL_TLS_SERVER);
    const inner = serverContext(['ec256']);
    server.loadCertChainWithSigner(pki.leaf.ec256.certPem, (scheme, content) =>
      Promise.resolve(inner.engineConfig().certificates[0]!.sign(scheme, content) as Uint8Array),
    );
    const pair = makePair(clientContext(), server);
    expect(() => pair.client.doHandshake()).toThrow(SSLWantReadError);
    transfer(pair);
    expect(() => pair.server.doHandshake()).toThrow(SSLWantReadError);
    expect(pair.server.suspensionPoint).toBe('signCertificateVerify');
    await new Promise((r) => setTimeout(r, 0));
    handshake(pair);
    roundTrip(pair);
  });
});

describe('mutual TLS', () => {
  function mtls(mode: number, withClientCert: boolean) {
    const pki = testPki();
    const client = clientContext();
    if (withClientCert) client.loadCertChain(pki.client.certPem, pki.client.keyPem);
    const server = serverContext();
    server.verifyMode = mode;
    server.loadVerifyLocations({ cadata: pki.caPem });
    return makePair(client, server);
  }

  it('CERT_REQUIRED with a client certificate', () => {
    const pair = mtls(CERT_REQUIRED, true);
    handshake(pair);
    expect(pair.server.getPeerCert()).toMatchObject({ subject: [[['commonName', 'client']]] });
    roundTrip(pair);
  });

  it('CERT_REQUIRED without one → certificate_required', () => {
    const pair = mtls(CERT_REQUIRED, false);
    const errors = handshakeUntilError(pair);
    expect((errors.server as SSLError).reason).toBe('PEER_DID_NOT_RETURN_A_CERTIFICATE');
    // The client finished its side before the server's alert arrives; it reports the alert on next use.
    const clientError = errors.client ?? expectSSLError(() => pair.client.read());
    expect((clientError as SSLError).reason).toBe('TLSV13_ALERT_CERTIFICATE_REQUIRED');
  });

  it('CERT_OPTIONAL without one continues, getPeerCert is null', () => {
    const pair = mtls(CERT_OPTIONAL, false);
    handshake(pair);
    expect(pair.server.getPeerCert()).toBeNull();
    roundTrip(pair);
  });
});

describe('traffic', () => {
  it('KeyUpdate in both directions, with and without request_update', () => {
    const pair = makePair(clientContext(), serverContext());
    handshake(pair);
    pair.client.keyUpdate(true);
    roundTrip(pair);
    pair.server.keyUpdate(false);
    roundTrip(pair);
    pair.server.keyUpdate(true);
    transfer(pair);
    roundTrip(pair);
  });

  it('moves 256 KiB with records of at most 2^14 bytes, with padding', () => {
    const client = clientContext();
    client.recordPaddingBlock = 256;
    const pair = makePair(client, serverContext());
    handshake(pair);
    const big = new Uint8Array(1 << 18).map((_, i) => i & 0xff);
    pair.client.write(big);
    transfer(pair);
    expect(readAll(pair.server)).toEqual(big);
  });

  it('unwrap sends close_notify and completes on the peer answer; read then raises SSLZeroReturnError', () => {
    const pair = makePair(clientContext(), serverContext());
    handshake(pair);
    expect(() => pair.client.unwrap()).toThrow(SSLWantReadError);
    transfer(pair);
    expect(() => pair.server.read()).toThrow(SSLZeroReturnError);
    // Half-close (RFC 8446 §6.1): the server may still write after the client's close_notify.
    pair.server.write('last words');
    pair.server.unwrap();
    transfer(pair);
    expect(text(pair.client.read())).toBe('last words');
    pair.client.unwrap();
    expect(() => pair.client.write('x')).toThrow(/protocol is shutdown/);
  });

  it('EOF without close_notify raises SSLEOFError', () => {
    const pair = makePair(clientContext(), serverContext());
    handshake(pair);
    pair.clientIn.writeEof();
    expect(() => pair.client.read()).toThrow(SSLEOFError);
  });

  it('EOF during the handshake raises SSLEOFError', () => {
    const pair = makePair(clientContext(), serverContext());
    expect(() => pair.client.doHandshake()).toThrow(SSLWantReadError);
    pair.clientIn.writeEof();
    expect(() => pair.client.doHandshake()).toThrow(SSLEOFError);
  });

  it('completes when fed one byte at a time', () => {
    const pair = makePair(clientContext(), serverContext());
    const feed = (from: MemoryBIO, to: MemoryBIO) => {
      let n = 0;
      while (from.pending > 0) {
        to.write(from.read(1));
        n++;
      }
      return n;
    };
    for (let i = 0; i < 20000; i++) {
      let progressed = false;
      for (const [obj, from, to] of [
        [pair.client, pair.clientOut, pair.serverIn],
        [pair.server, pair.serverOut, pair.clientIn],
      ] as const) {
        try {
          obj.doHandshake();
        } catch (e) {
          if (!(e instanceof SSLWantReadError)) throw e;
        }
        if (from.pending > 0) {
          to.write(from.read(1));
          progressed = true;
        }
      }
      if (!progressed && pair.client.version() !== null && pair.server.version() !== null) break;
    }
    void feed;
    expect(pair.client.version()).toBe('TLSv1.3');
    roundTrip(pair);
  });

  it('writes NSS key-log lines on both sides', () => {
    const lines: string[] = [];
    const client = clientContext();
    client.keylogCallback = (l) => lines.push(`c ${l}`);
    const server = serverContext();
    server.keylogCallback = (l) => lines.push(`s ${l}`);
    handshake(makePair(client, server));
    const labels = lines.map((l) => l.split(' ').slice(0, 2).join(' ')).sort();
    expect(labels).toEqual(
      [
        'c CLIENT_HANDSHAKE_TRAFFIC_SECRET',
        'c CLIENT_TRAFFIC_SECRET_0',
        'c EXPORTER_SECRET',
        'c SERVER_HANDSHAKE_TRAFFIC_SECRET',
        'c SERVER_TRAFFIC_SECRET_0',
        's CLIENT_HANDSHAKE_TRAFFIC_SECRET',
        's CLIENT_TRAFFIC_SECRET_0',
        's EXPORTER_SECRET',
        's SERVER_HANDSHAKE_TRAFFIC_SECRET',
        's SERVER_TRAFFIC_SECRET_0',
      ].sort(),
    );
    const clientSide = lines
      .filter((l) => l.startsWith('c '))
      .map((l) => l.slice(2))
      .sort();
    const serverSide = lines
      .filter((l) => l.startsWith('s '))
      .map((l) => l.slice(2))
      .sort();
    expect(clientSide).toEqual(serverSide);
  });

  it('exposes tls-unique (the client Finished) equal on both sides, and exporters agree', () => {
    const pair = makePair(clientContext(), serverContext());
    handshake(pair);
    const cb = pair.client.getChannelBinding();
    expect(cb).not.toBeNull();
    expect(pair.server.getChannelBinding()).toEqual(cb);
    expect(pair.client.exportKeyingMaterial('EXPERIMENTAL test', 32)).toEqual(
      pair.server.exportKeyingMaterial('EXPERIMENTAL test', 32),
    );
  });
});

describe('record framing', () => {
  it('reassembles handshake messages split across many small records', () => {
    const pair = makePair(clientContext(), serverContext(['rsa2048']));
    for (const side of [pair.client, pair.server]) {
      (side.connection as unknown as { record: { maxFragment: number } }).record.maxFragment = 57;
    }
    handshake(pair);
    roundTrip(pair, 5000);
  });
});
