/**
 * `sanstls s_server`: OpenSSL's test server. Listens on 127.0.0.1 (IPv4) unless told otherwise, prints `ACCEPT`,
 * then serves each connection on its own: with `-www` it buffers the HTTP request up to its empty line, answers
 * `HTTP/1.0 200 ok` with a page describing the session as one application-data record, and sends close_notify;
 * otherwise it echoes (`-rev`: each line reversed). A client that sends garbage, vanishes or never speaks only
 * ends its own connection (handshake and idle timeouts); the server keeps accepting.
 * @module
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import type { SSLContext } from '../context.js';
import type { SSLSocket } from '../sslsocket.js';
import { helpText, optionInt, optionValue, parseArgs, UsageError } from './args.js';
import { buildContext } from './context.js';
import { type CliIo, writeLine } from './io.js';
import { serverOptions } from './tls-options.js';

/** `-accept` forms: `PORT`, `HOST:PORT`, `[V6]:PORT` (also `sanstls record -accept`). */
export function parseAccept(
  spec: string,
  ipv6: boolean,
  command = 's_server',
): { host: string; port: number; explicitHost: boolean } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(spec);
  const defaultHost = ipv6 ? '::1' : '127.0.0.1';
  if (match) {
    const host = match[1] ?? match[2] ?? '';
    return {
      host: host === '' || host === '*' ? defaultHost : host,
      port: Number(match[3]),
      explicitHost: host !== '',
    };
  }
  if (/^\d+$/.test(spec)) return { host: defaultHost, port: Number(spec), explicitHost: false };
  throw new UsageError(`${command}: bad -accept value "${spec}"`, 1);
}

const MAX_REQUEST = 64 * 1024;

/** -status_file: a DER OCSP response, stapled as it is for clients that ask (OpenSSL does not check it either). */
function readStatusFile(path: string): Uint8Array {
  let der: Uint8Array;
  try {
    der = new Uint8Array(readFileSync(path));
  } catch (err) {
    throw new UsageError(`s_server: Error reading OCSP response file ${path}: ${(err as Error).message}`, 1);
  }
  if (der.length === 0) throw new UsageError(`s_server: OCSP response file ${path} is empty`, 1);
  return der;
}

function describeSession(sock: SSLSocket): string[] {
  const cipher = sock.cipher();
  return [
    `Protocol: ${sock.version() ?? 'unknown'}`,
    `Cipher: ${cipher?.[0] ?? 'unknown'}`,
    `ALPN: ${sock.selectedAlpnProtocol() ?? 'none'}`,
  ];
}

function wwwPage(sock: SSLSocket, ctx: SSLContext): string {
  const cipher = sock.cipher();
  const peer = sock.getPeerCert(true);
  const lines = [
    '<HTML><BODY BGCOLOR="#ffffff">',
    '<pre>',
    '',
    'sanstls s_server -www',
    '---',
    `New, ${sock.version()}, Cipher is ${cipher?.[0] ?? 'unknown'}`,
    `Protocol: ${sock.version()}`,
    `Cipher: ${cipher?.[0] ?? 'unknown'} (${cipher?.[2] ?? 0} bits)`,
    `ALPN: ${sock.selectedAlpnProtocol() ?? 'none'}`,
    `Client certificate: ${peer === null ? 'none' : 'sent'}`,
    `Ciphers enabled: ${ctx
      .getCiphers()
      .map((c) => c.name)
      .join(':')}`,
    '---',
    '</pre></BODY></HTML>',
    '',
  ];
  return `HTTP/1.0 200 ok\r\nContent-type: text/html\r\n\r\n${lines.join('\n')}\r\n\r\n`;
}

export async function sServerCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs('s_server', serverOptions, argv);
  if (args.flags.has('help')) {
    io.stdout.write(helpText('s_server', '[options]', serverOptions));
    return 0;
  }
  if (args.positional.length > 0) throw new UsageError(`s_server: Extra option: "${args.positional[0]}"`, 1);
  const ctx = buildContext(args, 'server', io.env);
  const statusFile = optionValue(args, 'status_file');
  if (statusFile !== undefined) ctx.setOcspResponse(readStatusFile(statusFile));
  const quiet = args.flags.has('quiet');
  const www = args.flags.has('www');
  const rev = args.flags.has('rev');
  const naccept = optionInt(args, 'naccept');
  const handshakeTimeoutMs = optionInt(args, 'handshake_timeout') ?? 10_000;
  const idleTimeoutMs = optionInt(args, 'idle_timeout') ?? 30_000;
  const { host, port, explicitHost } = parseAccept(
    optionValue(args, 'accept') ?? optionValue(args, 'port') ?? '4433',
    args.flags.has('6'),
  );

  let served = 0;
  let active = 0;
  const server = net.createServer({ allowHalfOpen: true });
  const finished = new Promise<number>((resolve) => {
    const maybeDone = (): void => {
      if (naccept !== undefined && served >= naccept && active === 0) {
        server.close();
        resolve(0);
      }
    };
    server.on('connection', (raw: net.Socket) => {
      served++;
      active++;
      if (naccept !== undefined && served >= naccept) server.close(); // stop accepting; finish this one
      raw.on('error', () => {});
      raw.setNoDelay(true);
      serveConnection(raw).finally(() => {
        active--;
        if (!raw.destroyed) raw.destroy();
        maybeDone();
      });
    });
    server.on('error', (err) => {
      writeLine(io.stderr, `s_server: ${err.message}`);
      resolve(1);
    });
    const stop = (): void => {
      server.close();
      resolve(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

  async function serveConnection(raw: net.Socket): Promise<void> {
    const sock = ctx.wrapSocket(raw, { serverSide: true, doHandshakeOnConnect: false, idleTimeoutMs });
    try {
      await withTimeout(sock.doHandshake(), handshakeTimeoutMs, 'handshake');
      if (!quiet) for (const line of describeSession(sock)) writeLine(io.stdout, line);
      if (www) {
        let request = '';
        while (!/\r?\n\r?\n/.test(request)) {
          const chunk = await sock.recv(16384);
          if (chunk.length === 0) return; // the client left before finishing its request
          request += Buffer.from(chunk).toString('latin1');
          if (request.length > MAX_REQUEST) throw new Error('request header too large');
        }
        // The whole response in one write: one application-data record (it is far below 2^14 bytes).
        await sock.write(wwwPage(sock, ctx));
        await sock.shutdownWrite();
        return;
      }
      let pendingLine = '';
      for (;;) {
        const data = await sock.recv(16384);
        if (data.length === 0) break;
        if (!rev) {
          await sock.sendall(data);
          continue;
        }
        pendingLine += Buffer.from(data).toString('latin1');
        const lines = pendingLine.split('\n');
        pendingLine = lines.pop() ?? '';
        const reply = lines.map((l) => `${[...l.replace(/\r$/, '')].reverse().join('')}\n`).join('');
        if (reply !== '') await sock.sendall(Buffer.from(reply, 'latin1'));
      }
      await sock.shutdownWrite();
      if (!quiet) writeLine(io.stdout, 'CONNECTION CLOSED');
    } catch (err) {
      if (!quiet) writeLine(io.stderr, `ERROR\n${err instanceof Error ? err.message : String(err)}`);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((err: Error) => {
    throw new UsageError(`s_server: cannot listen on ${host}:${port}: ${err.message}`, 1);
  });
  const bound = server.address() as net.AddressInfo;
  const shown = bound.address.includes(':') ? `[${bound.address}]` : bound.address;
  writeLine(io.stdout, explicitHost || port === 0 ? `ACCEPT ${shown}:${bound.port}` : 'ACCEPT');
  return finished;
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
