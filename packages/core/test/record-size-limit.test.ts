/**
 * record_size_limit (RFC 8449) in TLS 1.3 and 1.2: we announce a configured limit, honour the peer's
 * (checked on the wire: every protected record it receives fits), enforce ours (record_overflow), and
 * refuse values below 64 (illegal_parameter) and unsolicited answers (unsupported_extension).
 * Interop: GnuTLS 3.7 (`--recordsize`) both ways and both versions; OpenSSL 3.0 has no record_size_limit.
 */
import { type SSLContext, SSLError, SSLWantReadError, TLSVersion } from '@sanstls/core';
import {
  type Extension,
  ExtensionType,
  encodeRecordSizeLimit,
  encodeServerHello,
  parseServerHello,
} from '@sanstls/core/codec';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, listen, type PumpedConnection } from './helpers/socket-pump.js';
import {
  clientContext,
  handshake,
  handshakeUntilError,
  makePair,
  type Pair,
  readAll,
  serverContext,
  testPki,
} from './helpers/tls-pair.js';
import { freePort, hasTool, type Peer, startPeer, within } from './helpers/tls12-peers.js';

const APPLICATION_DATA = 23;
const TAG = 16;

interface WireRecord {
  type: number;
  length: number;
}

/** The records in a byte string (whole records only, as the in-memory pairs produce). */
function records(bytes: Uint8Array): WireRecord[] {
  const out: WireRecord[] = [];
  for (let at = 0; at + 5 <= bytes.length; ) {
    const length = (bytes[at + 3]! << 8) | bytes[at + 4]!;
    out.push({ type: bytes[at]!, length });
    at += 5 + length;
  }
  return out;
}

/** transfer() that also records what each side sent. */
function transferSeen(pair: Pair, seen: { client: WireRecord[]; server: WireRecord[] }): number {
  let moved = 0;
  if (pair.clientOut.pending > 0) {
    const b = pair.clientOut.read();
    seen.client.push(...records(b));
    pair.serverIn.write(b);
    moved += b.length;
  }
  if (pair.serverOut.pending > 0) {
    const b = pair.serverOut.read();
    seen.server.push(...records(b));
    pair.clientIn.write(b);
    moved += b.length;
  }
  return moved;
}

function step(obj: { doHandshake(): void }): void {
  try {
    obj.doHandshake();
  } catch (e) {
    if (!(e instanceof SSLWantReadError)) throw e;
  }
}

/** Handshake and exchange, recording every record on the wire. */
function run(
  client: SSLContext,
  server: SSLContext,
  traffic: (pair: Pair) => void,
): { pair: Pair; seen: { client: WireRecord[]; server: WireRecord[] } } {
  const pair = makePair(client, server);
  const seen = { client: [] as WireRecord[], server: [] as WireRecord[] };
  for (let i = 0; i < 10; i++) {
    step(pair.client);
    transferSeen(pair, seen);
    step(pair.server);
    transferSeen(pair, seen);
  }
  expect(pair.client.connection.handshakeComplete && pair.server.connection.handshakeComplete).toBe(true);
  traffic(pair);
  while (transferSeen(pair, seen) > 0);
  return { pair, seen };
}

const pattern = (n: number) => new Uint8Array(n).map((_, i) => (i * 7 + 3) & 0xff);
const maxProtected = (rs: WireRecord[]) =>
  Math.max(...rs.filter((r) => r.type === APPLICATION_DATA).map((r) => r.length));

function tls12(ctx: SSLContext): SSLContext {
  ctx.maximumVersion = TLSVersion.TLSv1_2;
  return ctx;
}

describe('TLS 1.3: limits are announced and honoured', () => {
  it('the server fragments to the client limit (content type byte included): every protected record ≤ 256 + tag', () => {
    const client = clientContext();
    client.recordSizeLimit = 256;
    const data = pattern(5000);
    const { pair, seen } = run(client, serverContext(), (p) => p.server.write(data));
    expect(readAll(pair.client)).toEqual(data);
    // EncryptedExtensions, Certificate, CertificateVerify, Finished and data: all under the limit.
    expect(maxProtected(seen.server)).toBe(256 + TAG);
    // The server answered with the protocol maximum: the client's records are not limited.
    pair.client.write(pattern(20_000));
    const after = { client: [] as WireRecord[], server: [] as WireRecord[] };
    transferSeen(pair, after);
    expect(maxProtected(after.client)).toBe(2 ** 14 + 1 + TAG);
    expect(readAll(pair.server)).toEqual(pattern(20_000));
  });

  it('the client fragments to the server limit from its Finished on', () => {
    const client = clientContext();
    client.recordSizeLimit = 2 ** 14 + 1; // announces support without limiting
    const server = serverContext();
    server.recordSizeLimit = 100;
    const data = pattern(3000);
    const { pair, seen } = run(client, server, (p) => p.client.write(data));
    expect(readAll(pair.server)).toEqual(data);
    expect(maxProtected(seen.client)).toBe(100 + TAG);
    expect(maxProtected(seen.server)).toBeGreaterThan(100 + TAG); // the client's limit is the maximum
  });

  it('a server limit means nothing to a client that did not announce one', () => {
    const server = serverContext();
    server.recordSizeLimit = 100;
    const data = pattern(20_000);
    const { pair, seen } = run(clientContext(), server, (p) => p.client.write(data));
    expect(readAll(pair.server)).toEqual(data);
    expect(maxProtected(seen.client)).toBe(2 ** 14 + 1 + TAG);
  });

  it('padding (RFC 8446 §5.4) stays within the limit', () => {
    const client = clientContext();
    client.recordSizeLimit = 300;
    const server = serverContext();
    server.recordPaddingBlock = 1024;
    const { pair, seen } = run(client, server, (p) => p.server.write(pattern(2000)));
    expect(readAll(pair.client)).toEqual(pattern(2000));
    expect(maxProtected(seen.server)).toBe(300 + TAG);
  });

  it('the smallest limit, 64, carries 63 content bytes per record', () => {
    const client = clientContext();
    client.recordSizeLimit = 64;
    const { pair, seen } = run(client, serverContext(), (p) => p.server.write(pattern(630)));
    expect(readAll(pair.client)).toEqual(pattern(630));
    const data = seen.server.filter((r) => r.type === APPLICATION_DATA).slice(-10);
    expect(data.map((r) => r.length)).toEqual(Array(10).fill(64 + TAG));
  });
});

describe('TLS 1.3 0-RTT and record_size_limit', () => {
  it('early data (sent before the client knew the limit) is accepted; later records honour the limit', () => {
    const client = clientContext();
    client.recordSizeLimit = 2 ** 14 + 1;
    const server = serverContext();
    server.recordSizeLimit = 100;
    server.maxEarlyData = 4096;
    const first = makePair(client, server);
    handshake(first);
    first.server.write('ticket please');
    first.clientIn.write(first.serverOut.read());
    readAll(first.client);
    const session = first.client.session!;
    const pair = { ...makePair(client, server) };
    pair.client = client.wrapBio(pair.clientIn, pair.clientOut, { serverHostname: 'localhost', session });
    const early = pattern(1000); // one 0-RTT record far above the server's limit of 100
    expect(pair.client.writeEarlyData(early)).toBe(1000);
    const seen = { client: [] as WireRecord[], server: [] as WireRecord[] };
    for (let i = 0; i < 10; i++) {
      step(pair.client);
      transferSeen(pair, seen);
      step(pair.server);
      transferSeen(pair, seen);
    }
    expect(pair.server.earlyDataStatus).toBe('accepted');
    expect(Math.max(...seen.client.filter((r) => r.type === APPLICATION_DATA).map((r) => r.length))).toBe(
      1000 + 1 + TAG,
    );
    const after = { client: [] as WireRecord[], server: [] as WireRecord[] };
    pair.client.write(pattern(500));
    transferSeen(pair, after);
    expect(maxProtected(after.client)).toBe(100 + TAG);
    expect(readAll(pair.server)).toEqual(new Uint8Array([...early, ...pattern(500)]));
  });
});

describe('TLS 1.2: limits are announced and honoured', () => {
  it('the server fragments its protected records to the client limit (explicit nonce and tag aside)', () => {
    const client = tls12(clientContext());
    client.recordSizeLimit = 200;
    // AES-GCM for the arithmetic below (with noble, TLS 1.2 would pick ChaCha20-Poly1305 first: no explicit nonce).
    client.setCiphers('ECDHE-ECDSA-AES128-GCM-SHA256');
    const data = pattern(5000);
    const { pair, seen } = run(client, serverContext(), (p) => p.server.write(data));
    expect(pair.client.version()).toBe('TLSv1.2');
    expect(readAll(pair.client)).toEqual(data);
    // AES-GCM: 8-byte explicit nonce + fragment + 16-byte tag. The handshake's plaintext records are not limited.
    expect(maxProtected(seen.server)).toBe(200 + 8 + TAG);
    expect(Math.max(...seen.server.map((r) => r.length))).toBeGreaterThan(200 + 8 + TAG);
  });

  it('the client fragments to the server limit; a 1.3+1.2 client limit of 16385 is capped at 2^14 under 1.2', () => {
    const client = clientContext(); // offers both versions
    client.recordSizeLimit = 2 ** 14 + 1;
    client.setCiphers('ECDHE-ECDSA-AES128-GCM-SHA256'); // AES-GCM's 8-byte explicit nonce in the sizes below
    const server = tls12(serverContext());
    server.recordSizeLimit = 1000;
    const data = pattern(40_000);
    const { pair, seen } = run(client, server, (p) => {
      p.client.write(data);
      p.server.write(data);
    });
    expect(pair.client.version()).toBe('TLSv1.2');
    expect(readAll(pair.server)).toEqual(data);
    expect(readAll(pair.client)).toEqual(data);
    expect(maxProtected(seen.client)).toBe(1000 + 8 + TAG);
    expect(maxProtected(seen.server)).toBe(2 ** 14 + 8 + TAG);
  });
});

/** The record layer of an SSLObject, to make one side ignore the peer's limit. */
function recordLayer(obj: { connection: unknown }): { sendRecordSizeLimit: number } {
  return (obj.connection as { record: { sendRecordSizeLimit: number } }).record;
}

describe('negative cases', () => {
  for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
    it(`${version}: a protected record over our announced limit is record_overflow`, () => {
      const client = clientContext();
      client.recordSizeLimit = 128;
      const pair = makePair(version === 'TLSv1.2' ? tls12(client) : client, serverContext());
      handshake(pair);
      expect(pair.client.version()).toBe(version);
      recordLayer(pair.server).sendRecordSizeLimit = 0; // a peer that ignores our limit
      // One byte over: TLS 1.3 counts the content type byte (RFC 8449 §4).
      pair.server.write(pattern(version === 'TLSv1.3' ? 128 : 129));
      pair.clientIn.write(pair.serverOut.read());
      const error = (() => {
        try {
          pair.client.read(1000);
        } catch (e) {
          return e as SSLError;
        }
      })();
      expect(error?.reason).toBe('DATA_LENGTH_TOO_LONG');
      pair.serverIn.write(pair.clientOut.read());
      expect(() => pair.server.read(10)).toThrow(/TLSV1_ALERT_RECORD_OVERFLOW/);
    });

    it(`${version}: a record exactly at our limit is accepted`, () => {
      const client = clientContext();
      client.recordSizeLimit = 128;
      const pair = makePair(version === 'TLSv1.2' ? tls12(client) : client, serverContext());
      handshake(pair);
      recordLayer(pair.server).sendRecordSizeLimit = 0;
      const exact = pattern(version === 'TLSv1.3' ? 127 : 128);
      pair.server.write(exact);
      pair.clientIn.write(pair.serverOut.read());
      expect(pair.client.read(1000)).toEqual(exact);
    });
  }

  const withExtension = (type: number, body: Uint8Array) => (exts: Extension[]) => [
    ...exts.filter((e) => e.type !== type),
    { type, body },
  ];

  it('TLS 1.3: a ClientHello record_size_limit below 64 is illegal_parameter', () => {
    const client = clientContext();
    client.replayHooks = {
      clientHelloExtensions: withExtension(ExtensionType.record_size_limit, Uint8Array.of(0, 63)),
    };
    const errors = handshakeUntilError(makePair(client, serverContext()));
    expect((errors.server as SSLError).reason).toBe('BAD_EXTENSION');
    expect(String(errors.client)).toMatch(/ALERT_ILLEGAL_PARAMETER/);
  });

  it('TLS 1.3: an EncryptedExtensions record_size_limit below 64 is illegal_parameter', () => {
    const client = clientContext();
    client.recordSizeLimit = 1000;
    const server = serverContext();
    server.replayHooks = { encryptedExtensions: withExtension(ExtensionType.record_size_limit, Uint8Array.of(0, 63)) };
    const errors = handshakeUntilError(makePair(client, server));
    expect((errors.client as SSLError).reason).toBe('BAD_EXTENSION');
    expect(String(errors.server)).toMatch(/ALERT_ILLEGAL_PARAMETER/);
  });

  it('TLS 1.3: an unsolicited record_size_limit in EncryptedExtensions is unsupported_extension', () => {
    const server = serverContext();
    server.replayHooks = {
      encryptedExtensions: withExtension(ExtensionType.record_size_limit, encodeRecordSizeLimit(1000)),
    };
    const errors = handshakeUntilError(makePair(clientContext(), server));
    expect((errors.client as SSLError).reason).toBe('UNSOLICITED_EXTENSION');
    expect(String(errors.server)).toMatch(/TLSV1_ALERT_UNSUPPORTED_EXTENSION/);
  });

  let pair12Alert: Uint8Array | undefined;
  /** Runs a TLS 1.2 handshake whose ServerHello gets `edit`ed in transit (it is unprotected and checked first). */
  function tls12WithServerHello(client: SSLContext, edit: (exts: Extension[]) => Extension[]): SSLError {
    const pair = makePair(client, tls12(serverContext()));
    step(pair.client);
    pair.serverIn.write(pair.clientOut.read());
    step(pair.server);
    const flight = pair.serverOut.read();
    // One record holding ServerHello, Certificate, ServerKeyExchange, ServerHelloDone.
    const content = flight.subarray(5);
    const shLength = (content[1]! << 16) | (content[2]! << 8) | content[3]!;
    const sh = parseServerHello(content.subarray(4, 4 + shLength));
    if (sh.kind !== 'server_hello') throw new Error('expected a ServerHello');
    const edited = encodeServerHello({ ...sh, extensions: edit(sh.extensions) });
    const rest = content.subarray(4 + shLength);
    const body = new Uint8Array([...edited, ...rest]);
    pair.clientIn.write(new Uint8Array([22, 3, 3, body.length >> 8, body.length & 0xff, ...body]));
    try {
      pair.client.doHandshake();
    } catch (e) {
      pair12Alert = pair.clientOut.read();
      return e as SSLError;
    }
    throw new Error('the client accepted the edited ServerHello');
  }

  it('TLS 1.2: an unsolicited record_size_limit in the ServerHello is unsupported_extension', () => {
    const error = tls12WithServerHello(
      tls12(clientContext()),
      withExtension(ExtensionType.record_size_limit, encodeRecordSizeLimit(1000)),
    );
    expect(error.reason).toBe('UNSOLICITED_EXTENSION');
    expect([...pair12Alert!]).toEqual([21, 3, 3, 0, 2, 2, 110]); // fatal unsupported_extension
  });

  it('TLS 1.2: a ServerHello record_size_limit below 64 is illegal_parameter', () => {
    const client = tls12(clientContext());
    client.recordSizeLimit = 500;
    const error = tls12WithServerHello(client, withExtension(ExtensionType.record_size_limit, Uint8Array.of(0, 10)));
    expect(error.reason).toBe('BAD_EXTENSION');
    expect([...pair12Alert!]).toEqual([21, 3, 3, 0, 2, 2, 47]); // fatal illegal_parameter, unprotected
  });

  it('the setting takes 64..16385 or null', () => {
    const ctx = clientContext();
    for (const bad of [63, 0, 16386, 100.5, -1]) {
      expect(() => {
        ctx.recordSizeLimit = bad;
      }).toThrow(SSLError);
    }
    ctx.recordSizeLimit = 64;
    ctx.recordSizeLimit = 16385;
    ctx.recordSizeLimit = null;
    expect(ctx.recordSizeLimit).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------
// Interop with GnuTLS (OpenSSL 3.0's s_client/s_server have no record_size_limit option).

const haveGnutls = hasTool('gnutls-cli') && hasTool('gnutls-serv');

/**
 * gnutls-serv prints "listening" before every socket it binds (IPv6 and IPv4) is accepting; on a loaded
 * machine the IPv4 one can lag, so a refused connection is retried for a few seconds (a hang guard, not a wait).
 */
async function connectOnceListening(port: number, ctx: SSLContext): Promise<Awaited<ReturnType<typeof connect>>> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await connect(port, ctx, 'localhost');
    } catch (error) {
      if (attempt >= 50 || (error as NodeJS.ErrnoException).code !== 'ECONNREFUSED') throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
if (!haveGnutls) console.log('record-size-limit: interop skipped, gnutls-cli/gnutls-serv are not installed');

const peers: Peer[] = [];
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const p of peers.splice(0)) p.stop();
  for (const f of cleanups.splice(0)) f();
});

const PRIORITY = { 'TLSv1.3': 'NORMAL', 'TLSv1.2': 'NORMAL:-VERS-ALL:+VERS-TLS1.2' } as const;

describe.skipIf(!haveGnutls)('interop: GnuTLS 3.7', () => {
  for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
    it(`${version}: gnutls-cli --recordsize=512 reads our server's echo of 4000 bytes (GnuTLS enforces its limit)`, async () => {
      const pki = testPki();
      const connections: PumpedConnection[] = [];
      const server = await listen(serverContext(), (conn) => {
        connections.push(conn);
        let answered = false;
        conn.onData = () => {
          // gnutls-cli sends at most one record per line it reads: it asks, we answer with 4000 bytes.
          if (!answered) conn.write(`${'r'.repeat(4000)}\n`);
          answered = true;
        };
      });
      cleanups.push(server.close);
      // stdbuf: gnutls-cli block-buffers what it prints to a pipe.
      const child = startPeer('stdbuf', [
        '-o0',
        'gnutls-cli',
        '--port',
        String(server.port),
        '--x509cafile',
        pki.caFile,
        '--priority',
        PRIORITY[version],
        '--recordsize=512',
        'localhost',
      ]);
      peers.push(child);
      await child.waitFor(/Handshake was completed/, 15_000);
      child.write('go\n');
      await child.waitFor(/r{4000}/, 15_000);
      expect(child.output()).not.toMatch(/illegal size|Error/i);
      expect(connections[0]!.obj.version()).toBe(version);
      // TLS 1.3 counts the content type byte: GnuTLS announces 513 there (RFC 8449 §4).
      expect(recordLayer(connections[0]!.obj).sendRecordSizeLimit).toBe(version === 'TLSv1.3' ? 513 : 512);
    });

    it(`${version}: control — a server ignoring the limit makes gnutls-cli fail (so the test above can fail)`, async () => {
      const pki = testPki();
      const server = await listen(serverContext(), (conn) => {
        conn.onData = () => {
          recordLayer(conn.obj).sendRecordSizeLimit = 0;
          conn.write(`${'r'.repeat(4000)}\n`);
        };
      });
      cleanups.push(server.close);
      const child = startPeer('stdbuf', [
        '-o0',
        'gnutls-cli',
        '--port',
        String(server.port),
        '--x509cafile',
        pki.caFile,
        '--priority',
        PRIORITY[version],
        '--recordsize=512',
        'localhost',
      ]);
      peers.push(child);
      await child.waitFor(/Handshake was completed/, 15_000);
      child.write('go\n');
      await child.waitFor(/Error|illegal|too long|overflow/i, 15_000);
      expect(child.output()).not.toMatch(/r{4000}/);
    });

    it(`${version}: our client with recordSizeLimit 600 against gnutls-serv --echo (we would refuse a larger record)`, async () => {
      const pki = testPki();
      const port = await freePort();
      const child = startPeer('gnutls-serv', [
        '--port',
        String(port),
        '--echo',
        '--x509certfile',
        pki.leaf.ec256.certFile,
        '--x509keyfile',
        pki.leaf.ec256.keyFile,
        '--priority',
        PRIORITY[version],
        '--recordsize=512',
      ]);
      peers.push(child);
      await child.waitFor(/listening/i, 15_000);
      const ctx = clientContext();
      ctx.recordSizeLimit = 600; // GnuTLS servers ignore limits below 512 (its MIN_RECORD_SIZE)
      const conn = await connectOnceListening(port, ctx);
      cleanups.push(() => conn.socket.destroy());
      await within(15_000, 'handshake with gnutls-serv', conn.handshakeDone);
      expect(conn.obj.version()).toBe(version);
      // GnuTLS announced 512 (513 in TLS 1.3, content type included): we fragment to it.
      expect(recordLayer(conn.obj).sendRecordSizeLimit).toBe(version === 'TLSv1.3' ? 513 : 512);
      const text = `${'e'.repeat(5000)}\n`;
      conn.write(text);
      await conn.waitFor(/e{5000}/, 15_000);
    });
  }
});
