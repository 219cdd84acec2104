/**
 * Real handshakes as an oracle for the codec: OpenSSL, Node and Python clients talk to `openssl s_server`
 * through a recording TCP relay; every plaintext handshake message they exchange (TLS 1.3 hellos and HRR,
 * the whole TLS 1.2 flights up to ChangeCipherSpec) must parse, its known extensions must decode, and
 * re-encoding must reproduce the exact bytes.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import {
  ContentType,
  type DecodedHandshake,
  decodeHandshake,
  type Extension,
  type ExtensionContext,
  ExtensionType,
  encodeDecodedHandshake,
  extensionCodec,
  findExtension,
  HandshakeDefragmenter,
  MAX_TLS12_CIPHERTEXT_LENGTH,
  parseExtensionBlock,
  parseRecordHeader,
  parseSupportedVersionsServerHello,
} from '@sanstls/core/codec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const opensslPresent = hasOpenssl();
const gnutlsPresent = ((): boolean => {
  try {
    execFileSync('gnutls-cli', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    console.log('gnutls-cli not found: skipping the GnuTLS client capture');
    return false;
  }
})();
if (!opensslPresent) console.log('openssl CLI not found: skipping the codec interop captures');

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
let dir = '';

beforeAll(() => {
  if (!opensslPresent) return;
  dir = mkdtempSync(join(tmpdir(), 'sanstls-codec-'));
  const req = (name: string, keyArgs: string[]): void => {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-nodes',
        '-newkey',
        ...keyArgs,
        '-keyout',
        join(dir, `${name}.key`),
        '-out',
        join(dir, `${name}.crt`),
        '-subj',
        '/CN=localhost',
        '-days',
        '2',
        '-addext',
        'subjectAltName=DNS:localhost',
      ],
      { stdio: 'ignore' },
    );
  };
  req('ec', ['ec', '-pkeyopt', 'ec_paramgen_curve:P-256']);
  req('rsa', ['rsa:2048']);
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Starts `openssl s_server` and resolves once it accepts connections. */
async function startServer(args: string[]): Promise<{ port: number; proc: ChildProcess }> {
  const port = await freePort();
  const proc = spawn('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, '-naccept', '1', ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`s_server did not start: ${out}`)), 10_000);
    const onData = (d: Buffer): void => {
      out += d.toString();
      if (out.includes('ACCEPT')) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    proc.on('exit', () => reject(new Error(`s_server exited: ${out}`)));
  });
  return { port, proc };
}

interface Capture {
  client: Buffer;
  server: Buffer;
}

/** A relay recording both directions of one connection. */
async function relay(target: number): Promise<{ port: number; done: Promise<Capture>; close(): void }> {
  const client: Buffer[] = [];
  const server: Buffer[] = [];
  let finish!: (c: Capture) => void;
  const done = new Promise<Capture>((r) => {
    finish = r;
  });
  const srv = net.createServer((down) => {
    const up = net.connect(target, '127.0.0.1');
    down.on('data', (d) => {
      client.push(d);
      up.write(d);
    });
    up.on('data', (d) => {
      server.push(d);
      down.write(d);
    });
    const end = (): void => {
      down.destroy();
      up.destroy();
      finish({ client: Buffer.concat(client), server: Buffer.concat(server) });
    };
    down.on('close', end);
    up.on('close', end);
    down.on('error', end);
    up.on('error', end);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { port: (srv.address() as net.AddressInfo).port, done, close: () => srv.close() };
}

/**
 * Plaintext handshake messages of one direction: handshake records until the first other record. In
 * TLS 1.3 (`skipCcs`) a middlebox-compatibility ChangeCipherSpec is skipped, since protected records
 * there have type application_data; in TLS 1.2 everything after ChangeCipherSpec is encrypted.
 */
function plaintextMessages(stream: Buffer, skipCcs = false): { type: number; body: Uint8Array; raw: Uint8Array }[] {
  const hs = new HandshakeDefragmenter();
  const out: { type: number; body: Uint8Array; raw: Uint8Array }[] = [];
  let at = 0;
  const bytes = new Uint8Array(stream.buffer, stream.byteOffset, stream.length);
  for (;;) {
    const header = parseRecordHeader(bytes, at, MAX_TLS12_CIPHERTEXT_LENGTH);
    if (header === undefined) break;
    if (skipCcs && header.type === ContentType.change_cipher_spec) {
      at += 5 + header.length;
      continue;
    }
    if (header.type !== ContentType.handshake) break;
    hs.push(bytes.subarray(at + 5, at + 5 + header.length));
    at += 5 + header.length;
    for (let m = hs.next(); m; m = hs.next()) out.push(m);
  }
  return out;
}

const CONTEXT_OF: Partial<Record<DecodedHandshake['kind'], ExtensionContext>> = {
  client_hello: 'CH',
  server_hello: 'SH',
  hello_retry_request: 'HRR',
};

function checkExtensions(context: ExtensionContext, extensions: readonly Extension[], tls13: boolean): number {
  parseExtensionBlock(context, extensions, { tls13 });
  let n = 0;
  for (const e of extensions) {
    const codec = extensionCodec(context, e.type);
    if (!codec) continue;
    expect(hex(codec.encode(codec.parse(e.body))), ExtensionType.nameOf(e.type)).toBe(hex(e.body));
    n++;
  }
  return n;
}

/** Decodes and re-encodes every captured message; returns their kinds in order. */
async function exchange(serverArgs: string[], runClient: (port: number) => Promise<void>): Promise<string[]> {
  const { port, proc } = await startServer(serverArgs);
  const r = await relay(port);
  try {
    await runClient(r.port);
    const { client, server } = await Promise.race([
      r.done,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('connection did not close')), 15_000)),
    ]);
    let serverMsgs = plaintextMessages(server);
    // The version and key exchange come from the ServerHello, as for a real receiver.
    let version: 'TLSv1.3' | 'TLSv1.2' = 'TLSv1.2';
    let keyExchange: 'ecdhe' | 'dhe' = 'ecdhe';
    for (const m of serverMsgs) {
      if (m.type !== 2) continue;
      const decoded = decodeHandshake(m, { version: 'TLSv1.2' });
      if (decoded.kind !== 'server_hello' && decoded.kind !== 'hello_retry_request') continue;
      const sv = findExtension(decoded.message.extensions, ExtensionType.supported_versions);
      if (sv && parseSupportedVersionsServerHello(sv.body) === 0x0304) version = 'TLSv1.3';
      const suite = decoded.message.cipherSuite;
      keyExchange = [0x009e, 0x009f, 0xccaa].includes(suite) ? 'dhe' : 'ecdhe';
    }
    if (version === 'TLSv1.3') serverMsgs = plaintextMessages(server, true);
    const clientMsgs = plaintextMessages(client, version === 'TLSv1.3');
    const kinds: string[] = [];
    let typedExtensions = 0;
    for (const m of [...clientMsgs, ...serverMsgs]) {
      const decoded = decodeHandshake(m, { version, keyExchange });
      expect(decoded.kind, `type ${m.type}`).not.toBe('opaque');
      expect(hex(encodeDecodedHandshake(decoded))).toBe(hex(m.raw));
      const context = CONTEXT_OF[decoded.kind];
      if (context && 'message' in decoded && 'extensions' in decoded.message) {
        typedExtensions += checkExtensions(context, decoded.message.extensions, version === 'TLSv1.3');
      }
      kinds.push(decoded.kind);
    }
    expect(typedExtensions).toBeGreaterThan(3);
    return kinds;
  } finally {
    r.close();
    proc.kill();
  }
}

function nodeClient(options: tls.ConnectionOptions): (port: number) => Promise<void> {
  return (port) =>
    new Promise((resolve, reject) => {
      const s = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...options }, () => {
        s.end();
        resolve();
      });
      s.on('error', reject);
    });
}

function cliClient(cmd: string, args: string[]): (port: number) => Promise<void> {
  return (port) =>
    new Promise((resolve, reject) => {
      const p = spawn(
        cmd,
        args.map((a) => a.replace('PORT', String(port))),
        { stdio: ['pipe', 'ignore', 'pipe'] },
      );
      let err = '';
      p.stderr!.on('data', (d: Buffer) => {
        err += d.toString();
      });
      const timer = setTimeout(() => {
        p.kill();
        reject(new Error(`${cmd} hung: ${err}`));
      }, 15_000);
      p.on('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      p.stdin!.end();
    });
}

const serverCert = (kind: 'ec' | 'rsa'): string[] => [
  '-cert',
  join(dir, `${kind}.crt`),
  '-key',
  join(dir, `${kind}.key`),
];

describe.skipIf(!opensslPresent)('codec against real handshakes (openssl s_server)', () => {
  it('TLS 1.3, Node client with SNI and ALPN', async () => {
    const kinds = await exchange(
      [...serverCert('ec'), '-alpn', 'h2'],
      nodeClient({ servername: 'localhost', ALPNProtocols: ['h2', 'http/1.1'] }),
    );
    expect(kinds).toEqual(['client_hello', 'server_hello']);
  });

  it('TLS 1.3 HelloRetryRequest, openssl s_client offering a P-384 share to an X25519-only server', async () => {
    const kinds = await exchange(
      [...serverCert('ec'), '-groups', 'X25519'],
      cliClient('openssl', [
        's_client',
        '-connect',
        '127.0.0.1:PORT',
        '-groups',
        'P-384:X25519',
        '-servername',
        'localhost',
      ]),
    );
    expect(kinds).toEqual(['client_hello', 'client_hello', 'hello_retry_request', 'server_hello']);
  });

  it('TLS 1.2 ECDHE-ECDSA with a CertificateRequest and a session ticket, Node client', async () => {
    const kinds = await exchange(
      [...serverCert('ec'), '-tls1_2', '-verify', '1'],
      nodeClient({ maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' }),
    );
    expect(kinds).toEqual([
      'client_hello',
      'certificate_tls12',
      'client_key_exchange',
      'server_hello',
      'certificate_tls12',
      'server_key_exchange',
      'certificate_request_tls12',
      'server_hello_done',
      'new_session_ticket_tls12',
    ]);
  });

  it('TLS 1.2 DHE-RSA, openssl s_client', async () => {
    const kinds = await exchange(
      [...serverCert('rsa'), '-tls1_2'],
      cliClient('openssl', [
        's_client',
        '-connect',
        '127.0.0.1:PORT',
        '-tls1_2',
        '-cipher',
        'DHE-RSA-AES128-GCM-SHA256',
      ]),
    );
    expect(kinds).toEqual([
      'client_hello',
      'client_key_exchange',
      'server_hello',
      'certificate_tls12',
      'server_key_exchange',
      'server_hello_done',
      'new_session_ticket_tls12',
    ]);
  });

  it.skipIf(!gnutlsPresent)(
    'TLS 1.3 and TLS 1.2 (ECDHE-RSA, EMS, encrypt-then-MAC offers), gnutls-cli client',
    async () => {
      const cli = (priority: string): ((port: number) => Promise<void>) =>
        cliClient('gnutls-cli', ['--insecure', '--priority', priority, '--port', 'PORT', '127.0.0.1']);
      expect(await exchange([...serverCert('rsa')], cli('NORMAL'))).toEqual(['client_hello', 'server_hello']);
      expect(await exchange([...serverCert('rsa'), '-tls1_2'], cli('NORMAL:-VERS-TLS1.3'))).toEqual([
        'client_hello',
        'client_key_exchange',
        'server_hello',
        'certificate_tls12',
        'server_key_exchange',
        'server_hello_done',
        'new_session_ticket_tls12',
      ]);
    },
  );

  it('TLS 1.3, Python ssl client', async () => {
    const py = [
      'import socket, ssl, sys',
      'ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE',
      "ctx.set_alpn_protocols(['http/1.1'])",
      "s = ctx.wrap_socket(socket.create_connection(('127.0.0.1', int(sys.argv[1]))), server_hostname='localhost')",
      's.close()',
    ].join('\n');
    const kinds = await exchange([...serverCert('rsa')], cliClient('python3', ['-c', py, 'PORT']));
    expect(kinds).toEqual(['client_hello', 'server_hello']);
  });
});
