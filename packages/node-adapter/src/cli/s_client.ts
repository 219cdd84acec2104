/**
 * `sanstls s_client`: OpenSSL's test client. Connects, prints the session (`Protocol:`, `Cipher:`, `ALPN:` on stderr),
 * copies stdin to the connection and the connection to stdout, and exits when the peer closes. When stdin ends it
 * sends close_notify and waits briefly for the peer to finish (unless `-ign_eof`/`-quiet`, which keep reading until
 * the peer closes).
 *
 * The peer's chain is always verified against `-CAfile`/`-CApath` (the system store without them); the name checked
 * is `-verify_hostname`, else `-servername` (none when neither is given, as OpenSSL). A failure prints
 * `verify error:num=N:TEXT`; with `-verify_return_error` it aborts the handshake (exit status 1), without it the
 * connection goes on, as OpenSSL's.
 * @module
 */
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import {
  CERT_REQUIRED,
  exportSession,
  importSession,
  SSLCertVerificationError,
  type SSLObject,
  type SSLSession,
  type VerifyCallbackInfo,
} from '@sanstls/core';
import { type Certificate, loadCertificates, verifyChain } from '@sanstls/x509';
import { helpText, optionInt, optionValue, parseArgs, UsageError } from './args.js';
import { buildContext } from './context.js';
import { opensslOneLineName } from './format.js';
import { type CliIo, writeLine } from './io.js';
import { ocspStatusLines } from './ocsp.js';
import { clientOptions } from './tls-options.js';

function parseConnect(spec: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(spec);
  if (match) return { host: (match[1] ?? match[2]) as string, port: Number(match[3]) };
  if (/^[^:]+$/.test(spec)) return { host: spec, port: 4433 };
  throw new UsageError(`s_client: bad -connect value "${spec}"`, 1);
}

/** -sess_out/-sess_in files: our session encoding (tickets.ts exportSession) as PEM. */
const SESSION_PEM_LABEL = 'SANSTLS SESSION';

function readSessionFile(path: string): SSLSession {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`s_client: Can't open session file ${path}: ${(err as Error).message}`, 1);
  }
  const match = new RegExp(`-----BEGIN ${SESSION_PEM_LABEL}-----([^-]+)-----END ${SESSION_PEM_LABEL}-----`).exec(text);
  const session = match === null ? undefined : importSession(Buffer.from(match[1]!.replace(/\s+/g, ''), 'base64'));
  if (session === undefined) throw new UsageError(`s_client: ${path} is not a session saved by sanstls -sess_out`, 1);
  return session;
}

function writeSessionFile(path: string, session: SSLSession): void {
  const b64 = Buffer.from(exportSession(session))
    .toString('base64')
    .replace(/(.{64})/g, '$1\n');
  // The file holds the resumption secret: readable by its owner only.
  writeFileSync(path, `-----BEGIN ${SESSION_PEM_LABEL}-----\n${b64.trimEnd()}\n-----END ${SESSION_PEM_LABEL}-----\n`, {
    mode: 0o600,
  });
}

/** How long to wait for the peer after stdin ended and we sent close_notify. */
const LINGER_MS = 3000;

export async function sClientCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs('s_client', clientOptions, argv);
  if (args.flags.has('help')) {
    io.stdout.write(helpText('s_client', '[options] [host:port]', clientOptions));
    return 0;
  }
  const target = optionValue(args, 'connect') ?? args.positional[0];
  let { host, port } = parseConnect(target ?? 'localhost:4433');
  host = optionValue(args, 'host') ?? host;
  port = optionInt(args, 'port') ?? port;
  const quiet = args.flags.has('quiet');
  const ignoreEof = (args.flags.has('ign_eof') || quiet) && !args.flags.has('no_ign_eof');
  const crlf = args.flags.has('crlf');
  const verifyReturnError = args.flags.has('verify_return_error');
  const sni = args.flags.has('noservername')
    ? null
    : (optionValue(args, 'servername') ?? (net.isIP(host) ? null : host));
  const checkName = optionValue(args, 'verify_hostname') ?? optionValue(args, 'servername');
  const checkIp = optionValue(args, 'verify_ip');

  const ctx = buildContext(args, 'client', io.env);
  if (optionValue(args, 'CAfile') === undefined && optionValue(args, 'CApath') === undefined) ctx.loadDefaultCerts();
  // -status: ask for a stapled OCSP response (RFC 6066 §8) and print what comes, as OpenSSL's status callback.
  const showStatus = args.flags.has('status');
  ctx.requestOcsp = showStatus;
  // The engine validates the chain; the callback re-validates with our name rules, reports, and decides.
  ctx.verifyMode = CERT_REQUIRED;
  let verifyFailure: SSLCertVerificationError | undefined;
  ctx.verifyCallback = (info: VerifyCallbackInfo) => {
    const [leaf, ...rest] = info.chain;
    if (leaf === undefined) return !verifyReturnError;
    try {
      verifyChain({
        leaf,
        intermediates: rest,
        trustAnchors: ctx.trustStore,
        at: new Date(ctx.now()),
        purpose: 'serverAuth',
        ...(checkName !== undefined ? { hostname: checkName } : {}),
        ...(checkIp !== undefined ? { ip: checkIp } : {}),
        flags: ctx.verifyFlags,
        // OpenSSL falls back to the subject CN when there is no DNS SAN (X509_check_host without NEVER_CHECK_SUBJECT).
        hostnameChecksCommonName: ctx.hostnameChecksCommonName,
        verifiedSignatureCache: ctx.signatureCache,
      });
      return true;
    } catch (err) {
      if (!(err instanceof SSLCertVerificationError)) throw err;
      verifyFailure = err;
      const subject = opensslOneLineName((loadCertificates(leaf)[0] as Certificate).subject);
      writeLine(io.stderr, `depth=0 ${subject}`);
      writeLine(io.stderr, `verify error:num=${err.verifyCode}:${err.verifyMessage}`);
      if (verifyReturnError) throw err;
      return true;
    }
  };

  const raw = net.connect({ host, port, allowHalfOpen: true, noDelay: true });
  try {
    await new Promise<void>((resolve, reject) => {
      raw.once('connect', resolve);
      raw.once('error', reject);
    });
  } catch (err) {
    writeLine(io.stderr, `connect:errno=${(err as NodeJS.ErrnoException).code ?? 'EIO'}`);
    writeLine(io.stderr, `s_client: cannot connect to ${host}:${port}: ${(err as Error).message}`);
    return 1;
  }
  raw.on('error', () => {});
  if (!quiet) writeLine(io.stderr, 'CONNECTED(00000003)');
  const sessIn = optionValue(args, 'sess_in');
  const session = sessIn === undefined ? undefined : readSessionFile(sessIn);
  const sock = ctx.wrapSocket(raw, {
    serverHostname: sni,
    doHandshakeOnConnect: false,
    ...(session === undefined ? {} : { session }),
  });
  // 0-RTT (RFC 8446 §2.3): the file goes out with the ClientHello when the session's ticket allows it.
  const core = (sock.sslObject as unknown as { core: SSLObject }).core;
  const earlyFile = optionValue(args, 'early_data');
  if (earlyFile !== undefined) {
    const early = readFileSync(earlyFile);
    const taken = core.writeEarlyData(early);
    if (taken < early.length) {
      writeLine(
        io.stderr,
        `s_client: ${early.length - taken} of ${early.length} early data bytes do not fit the session's 0-RTT limit`,
      );
    }
  }
  const timeoutMs = optionInt(args, 'timeout') ?? 30_000;
  try {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      sock.doHandshake(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`handshake timed out after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
  } catch (err) {
    writeLine(io.stderr, `s_client: handshake failed: ${err instanceof Error ? err.message : String(err)}`);
    raw.destroy();
    return 1;
  }
  if (showStatus) for (const line of ocspStatusLines(core.ocspResponse)) writeLine(io.stderr, line);
  const cipher = sock.cipher();
  writeLine(io.stderr, `Protocol: ${sock.version()}`);
  writeLine(io.stderr, `Cipher: ${cipher?.[0] ?? 'unknown'}`);
  writeLine(io.stderr, `ALPN: ${sock.selectedAlpnProtocol() ?? 'none'}`);
  if (session !== undefined) writeLine(io.stderr, `${sock.sessionReused ? 'Reused' : 'New'}, ${sock.version()}`);
  if (core.earlyDataStatus === 'accepted') writeLine(io.stderr, 'Early data was accepted');
  if (core.earlyDataStatus === 'rejected') {
    // As OpenSSL's s_client: reported, not resent (early data may not be safe to send twice).
    const rejected = core.takeRejectedEarlyData();
    writeLine(io.stderr, `Early data was rejected (${rejected?.length ?? 0} bytes not delivered)`);
  }
  if (!quiet) {
    writeLine(
      io.stderr,
      `Verify return code: ${verifyFailure ? `${verifyFailure.verifyCode} (${verifyFailure.verifyMessage})` : '0 (ok)'}`,
    );
    writeLine(io.stderr, '---');
  }

  // Connection → stdout until the peer closes.
  const reading = (async () => {
    for (;;) {
      const data = await sock.recv(16384);
      if (data.length === 0) return;
      io.stdout.write(data);
    }
  })();
  // stdin → connection until stdin ends.
  let stdinDone = false;
  const writing = (async () => {
    for await (const chunk of io.stdin) {
      let bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      if (crlf) bytes = Buffer.from(bytes.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
      await sock.sendall(bytes);
    }
    stdinDone = true;
  })();

  let status = 0;
  const peerClosed = reading.then(
    () => 'peer' as const,
    (err: unknown) => {
      writeLine(io.stderr, `s_client: ${err instanceof Error ? err.message : String(err)}`);
      status = 1;
      return 'peer' as const;
    },
  );
  const inputEnded = writing.then(
    () => 'stdin' as const,
    () => 'stdin' as const,
  );
  const first = await Promise.race([peerClosed, inputEnded]);
  if (first === 'stdin' && stdinDone && !ignoreEof) {
    // As OpenSSL on input EOF: close our side; give the peer a moment to finish what it was sending.
    await sock.shutdownWrite();
    await Promise.race([peerClosed, new Promise((r) => setTimeout(r, LINGER_MS))]);
  } else if (first === 'stdin') {
    await peerClosed;
  }
  if (!quiet) writeLine(io.stderr, 'DONE');
  const sessOut = optionValue(args, 'sess_out');
  if (sessOut !== undefined) {
    const current = sock.session as SSLSession | null;
    if (current !== null) writeSessionFile(sessOut, current);
  }
  raw.destroy();
  return status;
}
