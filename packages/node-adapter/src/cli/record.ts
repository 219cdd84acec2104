/**
 * `sanstls record -connect HOST:PORT -out FILE`: connects as a sanstls client, optionally sends one
 * request (`-send`, with \r \n \t escapes), reads until the server closes or stays quiet for `-idle` ms,
 * sends close_notify, and writes the connection as a transcript (@sanstls/core/conformance): flights of
 * records in hex, handshake messages by name, protected records decrypted, RNG values, clock readings
 * and NSS key-log lines. `sanstls vectors FILE` then replays it offline, byte for byte.
 *
 * `sanstls record -accept [HOST:]PORT -cert FILE -key FILE -out FILE` records the server side instead:
 * it prints `ACCEPT host:port` on standard error, serves the first connection only (optionally answering
 * the client's first data with `-send`), answers the client's close_notify with its own, and writes that
 * connection as a server-side transcript, which `sanstls vectors` replays as the server.
 *
 * A transcript holds the connection's secrets and RNG output — a server transcript also its private
 * key: record test peers and test keys only.
 * @module
 */
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import {
  defaultProvider,
  SSLEOFError,
  SSLError,
  SSLWantReadError,
  SSLZeroReturnError,
  TLSVersion,
} from '@sanstls/core';
import {
  formatTranscript,
  seededRandom,
  TranscriptRecorder,
  type TranscriptSettings,
  transcriptContext,
  wrapMemory,
} from '@sanstls/core/conformance';
import { readFileFor } from '../files.js';
import { helpText, type OptionTable, optionInt, optionValue, type ParsedArgs, parseArgs, UsageError } from './args.js';
import { type CliIo, writeLine } from './io.js';
import { parseAccept } from './s_server.js';

const options: OptionTable = {
  help: { kind: 'flag', help: 'Display this summary' },
  connect: { kind: 'string', arg: 'host:port', help: 'Server to connect to (default localhost:4433)' },
  servername: { kind: 'string', arg: 'name', help: 'SNI and the name checked (default: the host unless an IP)' },
  CAfile: { kind: 'string', arg: 'file', help: 'Trust anchors (PEM), stored in the transcript' },
  noverify: { kind: 'flag', help: "Do not verify the server's certificate" },
  accept: {
    kind: 'string',
    arg: '[host:]port',
    help: 'Record the server side: accept one connection here (port 0: any; host default 127.0.0.1)',
  },
  cert: { kind: 'string', arg: 'file', help: 'With -accept: the certificate chain (PEM), stored in the transcript' },
  key: { kind: 'string', arg: 'file', help: 'With -accept: its private key (PEM; default: in -cert), stored too' },
  send: {
    kind: 'string',
    arg: 'text',
    help: "Client: data to send after the handshake; server: the answer to the client's first data (\\r \\n \\t escapes)",
  },
  tls1_2: { kind: 'flag', help: 'Offer TLS 1.2 only' },
  tls1_3: { kind: 'flag', help: 'Offer TLS 1.3 only' },
  groups: { kind: 'string', arg: 'list', help: 'Groups, colon-separated (e.g. secp256r1:x25519)' },
  seed: { kind: 'string', arg: 'text', help: 'Seed a deterministic RNG (default: the crypto provider)' },
  idle: {
    kind: 'int',
    arg: 'ms',
    help: 'After the handshake, close after this long without data from the peer (default 1000)',
  },
  out: { kind: 'string', arg: 'file', help: 'Write the transcript here (default: standard output)' },
  description: { kind: 'string', arg: 'text', help: 'Description stored in the transcript' },
};

/** How long the peer may go quiet during the handshake (-idle applies once it is done). */
const HANDSHAKE_TIMEOUT_MS = 15_000;

function decodeEscapes(text: string): string {
  return text.replace(/\\([rnt\\])/g, (_m, c: string) => ({ r: '\r', n: '\n', t: '\t', '\\': '\\' })[c] ?? c);
}

function parseConnect(spec: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(spec);
  if (match) return { host: (match[1] ?? match[2]) as string, port: Number(match[3]) };
  throw new UsageError(`record: bad -connect value "${spec}"`, 1);
}

/** The client side's settings from -connect, -servername, -CAfile / -noverify. */
function clientSettings(args: ParsedArgs, target: { host: string }): TranscriptSettings {
  const serverName = optionValue(args, 'servername') ?? (net.isIP(target.host) ? null : target.host);
  const caFile = optionValue(args, 'CAfile');
  const noVerify = args.flags.has('noverify');
  if (!noVerify && caFile === undefined) throw new UsageError('record: give -CAfile FILE or -noverify', 1);
  return {
    serverSide: false,
    serverHostname: serverName,
    ...(noVerify
      ? { checkHostname: false, verifyMode: 0 }
      : { cadata: readFileFor('CA file', caFile as string).toString('latin1'), checkHostname: serverName !== null }),
  };
}

/** The server side's settings from -cert / -key (the PEM text goes into the transcript). */
function serverSettings(args: ParsedArgs): TranscriptSettings {
  for (const clientOnly of ['connect', 'servername', 'CAfile']) {
    if (optionValue(args, clientOnly) !== undefined)
      throw new UsageError(`record: -${clientOnly} is a client option (not with -accept)`, 1);
  }
  if (args.flags.has('noverify')) throw new UsageError('record: -noverify is a client option (not with -accept)', 1);
  const cert = optionValue(args, 'cert');
  if (cert === undefined) throw new UsageError('record: -accept needs -cert FILE (and -key FILE)', 1);
  const certChain = readFileFor('certificate', cert).toString('latin1');
  const key = optionValue(args, 'key');
  return {
    serverSide: true,
    certChain,
    privateKey: key === undefined ? certChain : readFileFor('key', key).toString('latin1'),
  };
}

/** Listens, prints `ACCEPT host:port` on standard error, and resolves with the first connection. */
async function acceptOne(spec: string, io: CliIo): Promise<net.Socket> {
  const where = parseAccept(spec, false, 'record');
  const listener = net.createServer({ allowHalfOpen: true });
  await new Promise<void>((resolve, reject) => {
    listener.once('error', (err: NodeJS.ErrnoException) =>
      reject(new UsageError(`record: cannot listen on ${where.host}:${where.port}: ${err.code ?? err.message}`, 1)),
    );
    listener.listen(where.port, where.host, () => resolve());
  });
  const address = listener.address() as net.AddressInfo;
  writeLine(io.stderr, `ACCEPT ${address.address}:${address.port}`);
  const socket = await new Promise<net.Socket>((resolve) => listener.once('connection', resolve));
  listener.close(); // the first connection only
  return socket;
}

export async function recordCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs('record', options, argv);
  if (args.flags.has('help')) {
    io.stdout.write(helpText('record', '-connect host:port | -accept [host:]port -cert file [options]', options));
    return 0;
  }
  if (args.positional.length > 0) throw new UsageError(`record: Extra option: "${args.positional[0]}"`, 1);
  const acceptSpec = optionValue(args, 'accept');
  const serverSide = acceptSpec !== undefined;
  const target = serverSide ? undefined : parseConnect(optionValue(args, 'connect') ?? 'localhost:4433');
  const seed = optionValue(args, 'seed');
  const groups = optionValue(args, 'groups');
  const settings: TranscriptSettings = {
    ...(target === undefined ? serverSettings(args) : clientSettings(args, target)),
    ...(args.flags.has('tls1_2') ? { minimumVersion: TLSVersion.TLSv1_2, maximumVersion: TLSVersion.TLSv1_2 } : {}),
    ...(args.flags.has('tls1_3') ? { minimumVersion: TLSVersion.TLSv1_3, maximumVersion: TLSVersion.TLSv1_3 } : {}),
    ...(groups === undefined ? {} : { groups: groups.split(':') }),
  };
  const serverName = settings.serverHostname ?? null;
  const recorder = new TranscriptRecorder({
    side: serverSide ? 'server' : 'client',
    description:
      optionValue(args, 'description') ??
      (target === undefined
        ? `sanstls server ← first client on ${acceptSpec}`
        : `sanstls client → ${target.host}:${target.port}${serverName ? ` (${serverName})` : ''}`),
    settings,
    randomBytes: seed === undefined ? (n) => defaultProvider.randomBytes(n) : seededRandom(seed),
    now: () => Date.now(),
    provider: defaultProvider,
  });
  const ctx = transcriptContext(settings, recorder.contextOptions());
  ctx.keylogCallback = recorder.keylog;
  const { obj, incoming, outgoing } = wrapMemory(ctx, settings);
  recorder.tap(incoming, outgoing);
  const message = optionValue(args, 'send');
  const idleMs = optionInt(args, 'idle') ?? 1000;
  const peer = serverSide ? 'client' : 'server';

  let socket: net.Socket;
  if (target === undefined) {
    socket = await acceptOne(acceptSpec as string, io);
  } else {
    socket = net.connect({ host: target.host, port: target.port });
  }
  socket.setNoDelay(true);
  const outcome = await new Promise<{ error?: string }>((resolve) => {
    let handshaken = false;
    // Client: -send goes out after the handshake; server: it answers the client's first data.
    let sent = message === undefined;
    let done = false;
    let idle: NodeJS.Timeout | undefined;
    const flush = () => {
      const bytes = outgoing.read();
      if (bytes.length > 0 && !socket.destroyed) socket.write(bytes);
    };
    const finish = (error?: string) => {
      if (done) return;
      done = true;
      clearTimeout(idle);
      flush();
      socket.end();
      resolve(error === undefined ? {} : { error });
    };
    const close = () => {
      try {
        obj.unwrap();
      } catch {
        // close_notify is out; the peer's answer is not awaited.
      }
      finish();
    };
    const armIdle = () => {
      clearTimeout(idle);
      // The handshake gets its own, wider limit: a cold process on a loaded machine can take a second.
      const ms = handshaken ? idleMs : Math.max(idleMs, HANDSHAKE_TIMEOUT_MS);
      idle = setTimeout(() => (handshaken ? close() : finish(`no handshake within ${ms} ms`)), ms);
    };
    const advance = () => {
      try {
        if (!handshaken) {
          obj.doHandshake();
          handshaken = true;
        }
        if (!sent && !serverSide) {
          obj.write(decodeEscapes(message as string));
          sent = true;
        }
        for (;;) {
          obj.read(1 << 16);
          if (!sent) {
            obj.write(decodeEscapes(message as string));
            sent = true;
          }
        }
      } catch (e) {
        if (e instanceof SSLWantReadError) {
          flush();
          return;
        }
        if (e instanceof SSLZeroReturnError) {
          close();
          return;
        }
        if (e instanceof SSLEOFError && handshaken) {
          // RFC 8446 §6.1 wants close_notify first; many peers just close. Recorded (flight "eof"), not fatal.
          writeLine(io.stderr, `record: the ${peer} closed the connection without close_notify`);
          finish();
          return;
        }
        finish(e instanceof SSLError ? e.message : String(e));
      }
    };
    const begin = () => {
      advance();
      armIdle();
    };
    if (serverSide) begin();
    else socket.on('connect', begin);
    socket.on('data', (chunk: Buffer) => {
      incoming.write(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
      advance();
      armIdle();
    });
    socket.on('end', () => {
      incoming.writeEof();
      advance();
      finish();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => finish(`connection: ${err.code ?? err.message}`));
  });
  socket.destroy();
  const transcript = recorder.transcript();
  const text = formatTranscript(transcript);
  const out = optionValue(args, 'out');
  if (out === undefined) io.stdout.write(text);
  else writeFileSync(out, text);
  const records = transcript.flights.reduce((n, f) => n + f.records.length, 0);
  writeLine(
    io.stderr,
    `recorded ${transcript.flights.length} flights, ${records} records, ${transcript.keylog.length} key-log lines` +
      `${obj.version() ? `, ${obj.version()} ${obj.cipher()?.[0] ?? ''}` : ''}${out === undefined ? '' : ` to ${out}`}`,
  );
  if (outcome.error !== undefined) {
    writeLine(io.stderr, `record: ${outcome.error}`);
    return 1;
  }
  return 0;
}
