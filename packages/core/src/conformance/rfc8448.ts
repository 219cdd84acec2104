/**
 * The RFC 8448 vector runner (issue #11): each trace of `test-vectors/rfc8448/*.json` becomes a
 * {@link Transcript} per side — the RFC's records as flights, the RFC's randoms and ephemeral private
 * keys as the recorded RNG values, its traffic secrets as key-log lines — and is replayed through the
 * public API with {@link replayTranscript}, every message our engine sends checked against the RFC's.
 *
 * What comes from the trace rather than from the engine: the peers of RFC 8448 sent extensions this
 * engine does not generate (session_ticket, record_size_limit, …), so the ClientHello /
 * EncryptedExtensions / HelloRetryRequest extension lists are taken from the trace through the
 * context's replay hooks; the RSA-PSS CertificateVerify signature is the RFC's, returned only after it
 * verifies over the content our engine built (PSS is randomized). Every other byte is the engine's.
 * Server runs stop before the RFC server's NewSessionTicket: a ticket's contents are the issuing
 * server's private format (RFC 8446 §4.6.1), so ours cannot equal the RFC's.
 * @module
 */
import { parseCertificate, parsePublicKey, SSLError, signatureAlgorithmFromTlsScheme } from '@sanstls/x509';
import {
  ExtensionType,
  parseCertificateRequestTls13,
  parseCertificateTls13,
  parseCertificateVerify,
  parseClientHello,
  parseEarlyDataNewSessionTicket,
  parseEncryptedExtensions,
  parseNewSessionTicketTls13,
  parsePreSharedKeyClientHello,
  parseServerHello,
  splitHandshake,
} from '../codec/index.js';
import {
  CERT_REQUIRED,
  OP_ENABLE_MIDDLEBOX_COMPAT,
  OP_NO_TICKET,
  PROTOCOL_TLS_CLIENT,
  PROTOCOL_TLS_SERVER,
} from '../constants.js';
import { SSLContext, type SSLContextOptions } from '../context.js';
import { defaultProvider } from '../crypto/noble.js';
import type { CryptoProvider } from '../crypto/provider.js';
import { bytesEqual } from '../handshake/common.js';
import { MemoryBIO } from '../memorybio.js';
import { sessionFromNewSessionTicket, type TicketLookupResult } from '../tickets.js';
import { type ReplayResult, replayTranscript, wrapMemory } from './replay.js';
import { decodeFlights, fromHex, type Side, TRANSCRIPT_FORMAT, type Transcript, toHex } from './transcript.js';

/** One printed value of a trace (test-vectors/rfc8448/README.md). */
export interface Rfc8448Item {
  readonly side: Side;
  readonly step: string;
  readonly label: string;
  readonly hex: string;
}

export interface Rfc8448Trace {
  readonly source: string;
  readonly section: number;
  readonly title: string;
  readonly items: readonly Rfc8448Item[];
}

export interface Rfc8448Case {
  /** e.g. `RFC 8448 §3 Simple 1-RTT Handshake, client`. */
  readonly name: string;
  readonly side: Side;
  /** Why this side of the trace is not run, when it is not. */
  readonly skip?: string;
  readonly transcript?: Transcript;
  readonly open?: (
    options: SSLContextOptions,
    keylog: (line: string) => void,
  ) => {
    context: SSLContext;
    connection: ReturnType<typeof wrapMemory>;
  };
}

export interface Rfc8448Result {
  readonly name: string;
  readonly side: Side;
  readonly skip?: string;
  readonly result?: ReplayResult;
}

function badTrace(text: string): SSLError {
  return new SSLError(`RFC 8448 trace: ${text}`, { library: 'SSL', reason: 'BAD_TRANSCRIPT' });
}

/** Checks the JSON shape of a trace file. */
export function parseRfc8448Trace(text: string): Rfc8448Trace {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw badTrace(`not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const t = value as Partial<Rfc8448Trace>;
  if (typeof t !== 'object' || t === null || !Array.isArray(t.items) || typeof t.section !== 'number')
    throw badTrace('needs "section" and "items"');
  for (const i of t.items) {
    if ((i.side !== 'client' && i.side !== 'server') || typeof i.hex !== 'string' || typeof i.step !== 'string')
      throw badTrace('every item needs side, step, label and hex');
  }
  return t as Rfc8448Trace;
}

class TraceReader {
  constructor(readonly trace: Rfc8448Trace) {}

  all(side: Side, step: string, label: string): Uint8Array[] {
    return this.trace.items
      .filter((i) => i.side === side && i.step.includes(step) && i.label === label)
      .map((i) => fromHex(i.hex, `${side} ${step} ${label}`));
  }

  one(side: Side, step: string, label: string, n = 0): Uint8Array {
    const value = this.all(side, step, label)[n];
    if (value === undefined) throw badTrace(`no ${side} "${step}" ${label} #${n + 1}`);
    return value;
  }

  message(side: Side, label: string, n = 0) {
    return splitHandshake(this.one(side, `construct a ${label}`, label, n));
  }

  has(side: Side, label: string): boolean {
    return this.all(side, `construct a ${label}`, label).length > 0;
  }
}

/** The RFC's records as flights (consecutive records of one side merge), optionally cut at an item index. */
function traceFlights(trace: Rfc8448Trace, until = Number.POSITIVE_INFINITY): { from: Side; bytes: Uint8Array }[] {
  const out: { from: Side; parts: Uint8Array[] }[] = [];
  for (const [index, item] of trace.items.entries()) {
    if (index >= until) break;
    if (!item.step.startsWith('send') || item.label !== 'complete record') continue;
    const last = out[out.length - 1];
    const bytes = fromHex(item.hex);
    if (last?.from === item.side) last.parts.push(bytes);
    else out.push({ from: item.side, parts: [bytes] });
  }
  return out.map((f) => {
    const length = f.parts.reduce((n, p) => n + p.length, 0);
    const bytes = new Uint8Array(length);
    let at = 0;
    for (const p of f.parts) {
      bytes.set(p, at);
      at += p.length;
    }
    return { from: f.from, bytes };
  });
}

/** NSS key-log lines from the secrets the trace prints (so the RFC's protected records can be read). */
function traceKeylog(r: TraceReader, clientRandom: Uint8Array): string[] {
  const labels: [string, string][] = [
    ['"tls13 c e traffic"', 'CLIENT_EARLY_TRAFFIC_SECRET'],
    ['"tls13 c hs traffic"', 'CLIENT_HANDSHAKE_TRAFFIC_SECRET'],
    ['"tls13 s hs traffic"', 'SERVER_HANDSHAKE_TRAFFIC_SECRET'],
    ['"tls13 c ap traffic"', 'CLIENT_TRAFFIC_SECRET_0'],
    ['"tls13 s ap traffic"', 'SERVER_TRAFFIC_SECRET_0'],
    ['"tls13 exp master"', 'EXPORTER_SECRET'],
  ];
  const lines: string[] = [];
  for (const [step, label] of labels) {
    // Both sides print the same secret; the first print is enough.
    const value = [
      ...r.all('server', `derive secret ${step}`, 'expanded'),
      ...r.all('client', `derive secret ${step}`, 'expanded'),
    ][0];
    if (value !== undefined) lines.push(`${label} ${toHex(clientRandom)} ${toHex(value)}`);
  }
  return lines;
}

/** A certificate signer returning the RFC's signature after checking it covers our content. */
function rfcSigner(provider: CryptoProvider, certDer: Uint8Array, rfc: { algorithm: number; signature: Uint8Array }) {
  const publicKey = parsePublicKey(parseCertificate(certDer).spki.der);
  const pem = `-----BEGIN CERTIFICATE-----\n${base64(certDer)}\n-----END CERTIFICATE-----\n`;
  const sign = (scheme: number, content: Uint8Array): Uint8Array => {
    const algorithm = signatureAlgorithmFromTlsScheme(scheme);
    if (
      scheme !== rfc.algorithm ||
      algorithm === undefined ||
      !provider.verify(algorithm, publicKey, content, rfc.signature)
    ) {
      throw new SSLError("the RFC's CertificateVerify signature does not cover the content this engine built", {
        library: 'SSL',
        reason: 'RFC8448_SIGNATURE_MISMATCH',
      });
    }
    return rfc.signature;
  };
  return { pem, sign };
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
function base64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += BASE64[n >>> 18]! + BASE64[(n >>> 12) & 63]!;
    out += i + 1 < bytes.length ? BASE64[(n >>> 6) & 63]! : '=';
    out += i + 2 < bytes.length ? BASE64[n & 63]! : '=';
  }
  return out.replace(/.{64}/g, '$&\n').trimEnd();
}

/** RFC 8448's clock: the traces carry no time; the certificate is checked at a date inside its validity. */
const RFC8448_TIME = Date.UTC(2017, 0, 1);

/**
 * The runnable sides of one trace, with the reasons for the ones that are not. `related`: the other traces
 * of the set — §4 (resumption) needs §3's, whose NewSessionTicket it resumes.
 */
export function rfc8448Cases(
  trace: Rfc8448Trace,
  provider: CryptoProvider = defaultProvider,
  related: readonly Rfc8448Trace[] = [],
): Rfc8448Case[] {
  const r = new TraceReader(trace);
  const title = `RFC 8448 §${trace.section} ${trace.title}`;
  if (trace.section === 2) return [];
  if (trace.section === 4) {
    const first = related.find((t) => t.section === 3);
    if (first !== undefined) return resumptionCases(trace, new TraceReader(first), provider);
    const reason = 'resumes the §3 ticket: run it with RFC 8448 §3 (simple-1rtt.json) beside it';
    return [
      { name: `${title}, client`, side: 'client', skip: reason },
      { name: `${title}, server`, side: 'server', skip: reason },
    ];
  }
  const retry = r.all('client', 'construct a ClientHello', 'ClientHello').length > 1;
  const hello = parseClientHello(r.message('client', 'ClientHello').body);
  const compat = hello.legacySessionId.length > 0;
  const keylog = traceKeylog(r, hello.random);
  const cases: Rfc8448Case[] = [];

  // --- client ---
  {
    const randoms = [hello.random, ...(compat ? [hello.legacySessionId] : [])];
    randoms.push(r.one('client', 'ephemeral x25519', 'private key'));
    if (retry) randoms.push(r.one('client', 'ephemeral P-256', 'private key'));
    const raw = traceFlights(trace);
    const transcript: Transcript = {
      format: TRANSCRIPT_FORMAT,
      description: `${title}, client side`,
      side: 'client',
      random: randoms.map(toHex),
      clock: [],
      flights: decodeFlights(raw, keylog, provider),
      keylog,
    };
    const hellos = [r.message('client', 'ClientHello', 0), retry ? r.message('client', 'ClientHello', 1) : undefined];
    const open = (options: SSLContextOptions, keylog: (line: string) => void) => {
      const ctx = new SSLContext(PROTOCOL_TLS_CLIENT, { ...options, now: () => RFC8448_TIME });
      ctx.keylogCallback = keylog;
      ctx.checkHostname = false;
      ctx.verifyMode = 0; // the RFC's certificate is a self-signed RSA-1024 one
      if (compat) ctx.options |= OP_ENABLE_MIDDLEBOX_COMPAT;
      else ctx.options &= ~OP_ENABLE_MIDDLEBOX_COMPAT; // §3/§5/§6 send an empty legacy_session_id
      ctx.setCiphersuites('TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_256_GCM_SHA384');
      ctx.setGroups(retry ? ['x25519', 'secp256r1'] : ['x25519']);
      ctx.replayHooks = {
        clientHelloExtensions: (_defaults, second) => {
          const m = hellos[second ? 1 : 0]!;
          return parseClientHello(m.body, m.raw).extensions;
        },
      };
      if (r.has('client', 'Certificate')) {
        const certDer = parseCertificateTls13(r.message('client', 'Certificate').body).certificateList[0]!.certData;
        const signer = rfcSigner(
          provider,
          certDer,
          parseCertificateVerify(r.message('client', 'CertificateVerify').body),
        );
        ctx.loadCertChainWithSigner(signer.pem, signer.sign);
      }
      return { context: ctx, connection: wrapMemory(ctx, { serverSide: false, serverHostname: 'server' }) };
    };
    cases.push({ name: `${title}, client`, side: 'client', transcript, open });
  }

  // --- server ---
  {
    const sh = parseServerHello(r.message('server', 'ServerHello', retry ? 1 : 0).body);
    if (sh.kind !== 'server_hello') throw badTrace('the last server hello is a HelloRetryRequest');
    const randoms: Uint8Array[] = [];
    // The engine's draws, in order: with a HelloRetryRequest, 32 bytes for its cookie's key first.
    if (retry) randoms.push(new Uint8Array(32), r.one('server', 'ephemeral P-256', 'private key'));
    else randoms.push(r.one('server', 'ephemeral x25519', 'private key'));
    randoms.push(sh.random);
    const ticketAt = trace.items.findIndex((i) => i.side === 'server' && i.label === 'NewSessionTicket');
    const raw = traceFlights(trace, ticketAt < 0 ? undefined : ticketAt);
    const transcript: Transcript = {
      format: TRANSCRIPT_FORMAT,
      description: `${title}, server side${ticketAt < 0 ? '' : ' (up to its NewSessionTicket)'}`,
      side: 'server',
      random: randoms.map(toHex),
      clock: [],
      flights: decodeFlights(raw, keylog, provider),
      keylog,
    };
    const open = (options: SSLContextOptions, keylog: (line: string) => void) => {
      const ctx = new SSLContext(PROTOCOL_TLS_SERVER, { ...options, now: () => RFC8448_TIME });
      ctx.keylogCallback = keylog;
      ctx.setCiphersuites('TLS_AES_128_GCM_SHA256');
      ctx.setGroups(retry ? ['secp256r1'] : ['x25519']);
      ctx.options |= OP_NO_TICKET; // no NewSessionTicket: the comparison stops before the RFC's
      const certDer = parseCertificateTls13(r.message('server', 'Certificate').body).certificateList[0]!.certData;
      const signer = rfcSigner(
        provider,
        certDer,
        parseCertificateVerify(r.message('server', 'CertificateVerify').body),
      );
      ctx.loadCertChainWithSigner(signer.pem, signer.sign);
      const ee = parseEncryptedExtensions(r.message('server', 'EncryptedExtensions').body).extensions;
      // §6: the RFC server's CertificateRequest lists its own extensions (signature algorithms), set by a
      // replay hook like the EncryptedExtensions; its client certificate is self-signed RSA-1024, accepted by
      // callback once the engine has checked its CertificateVerify and Finished.
      const request = r.has('server', 'CertificateRequest')
        ? parseCertificateRequestTls13(r.message('server', 'CertificateRequest').body).extensions
        : undefined;
      ctx.replayHooks = {
        encryptedExtensions: () => ee,
        // Only a trace with a HelloRetryRequest has its extensions (a ClientHello the trace's server would have
        // answered differently gets ours, found by fuzz/targets/engine-rfc8448.ts).
        ...(retry
          ? {
              helloRetryRequestExtensions: () =>
                parseServerHello(r.message('server', 'ServerHello', 0).body).extensions,
            }
          : {}),
        ...(request === undefined ? {} : { certificateRequestExtensions: () => request }),
      };
      if (request !== undefined) {
        ctx.verifyMode = CERT_REQUIRED;
        ctx.verifyCallback = (info) => info.chain.length === 1;
      }
      return { context: ctx, connection: wrapMemory(ctx, { serverSide: true }) };
    };
    cases.push({ name: `${title}, server`, side: 'server', transcript, open });
  }
  return cases;
}

/**
 * RFC 8448 §4, Resumed 0-RTT Handshake, both sides, from §3's NewSessionTicket.
 *
 * Client: the session is {@link sessionFromNewSessionTicket} of §3's NewSessionTicket and §3's
 * resumption_master_secret, as any client holding that ticket would have it; its ClientHello's
 * extensions are the RFC's (replay hook), the PSK binder is the engine's, and the 0-RTT data is written
 * with `writeEarlyData` before the handshake, as the RFC's application did.
 *
 * Server: the RFC's ticket is the §3 server's own encryption, which no other server can open; the
 * context's `ticketLookupCallback` (the lookup any server has for tickets it did not seal) answers the
 * RFC's identity with §3's resumption state — the PSK from §3's secret and nonce, its lifetime,
 * ticket_age_add and max_early_data_size, issued as long before as the client's ticket age says. The
 * binder check, early-data acceptance (§4.2.10, §8) and every byte sent are the engine's.
 */
function resumptionCases(trace: Rfc8448Trace, first: TraceReader, provider: CryptoProvider): Rfc8448Case[] {
  const r = new TraceReader(trace);
  const title = `RFC 8448 §${trace.section} ${trace.title}`;
  // The "ClientHello" item stops before the binders: the first record's payload is the whole message.
  const helloMessage = splitHandshake(r.one('client', 'send handshake record', 'payload'));
  const hello = parseClientHello(helloMessage.body, helloMessage.raw);
  const keylog = traceKeylog(r, hello.random);
  const raw = traceFlights(trace);
  const newSessionTicket = first.one('server', 'construct a NewSessionTicket', 'NewSessionTicket');
  const nst = parseNewSessionTicketTls13(splitHandshake(newSessionTicket).body);
  const suite = 'TLS_AES_128_GCM_SHA256';
  const earlyData = r.one('client', 'send application_data', 'payload', 0);
  const cases: Rfc8448Case[] = [];

  // --- client ---
  {
    const session = sessionFromNewSessionTicket({
      newSessionTicket,
      resumptionMasterSecret: first.one('client', 'derive secret "tls13 res master"', 'expanded'),
      suite,
      receivedAt: RFC8448_TIME,
      serverName: 'server',
      provider,
    });
    const transcript: Transcript = {
      format: TRANSCRIPT_FORMAT,
      description: `${title}, client side (the §3 ticket, 0-RTT data)`,
      side: 'client',
      random: [hello.random, r.one('client', 'ephemeral x25519', 'private key')].map(toHex),
      clock: [],
      flights: decodeFlights(raw, keylog, provider),
      keylog,
    };
    const open = (options: SSLContextOptions, keylog: (line: string) => void) => {
      const ctx = new SSLContext(PROTOCOL_TLS_CLIENT, { ...options, now: () => RFC8448_TIME });
      ctx.keylogCallback = keylog;
      ctx.checkHostname = false;
      ctx.verifyMode = 0;
      ctx.options &= ~OP_ENABLE_MIDDLEBOX_COMPAT;
      ctx.setCiphersuites('TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_256_GCM_SHA384');
      ctx.setGroups(['x25519']);
      ctx.replayHooks = { clientHelloExtensions: () => hello.extensions };
      const incoming = new MemoryBIO();
      const outgoing = new MemoryBIO();
      const obj = ctx.wrapBio(incoming, outgoing, { serverHostname: 'server', session });
      obj.writeEarlyData(earlyData);
      return { context: ctx, connection: { obj, incoming, outgoing } };
    };
    cases.push({ name: `${title}, client`, side: 'client', transcript, open });
  }

  // --- server ---
  {
    const sh = parseServerHello(r.message('server', 'ServerHello').body);
    if (sh.kind !== 'server_hello') throw badTrace('§4 answers with a HelloRetryRequest');
    const transcript: Transcript = {
      format: TRANSCRIPT_FORMAT,
      description: `${title}, server side (the §3 ticket through ticketLookupCallback)`,
      side: 'server',
      random: [r.one('server', 'ephemeral x25519', 'private key'), sh.random].map(toHex),
      clock: [],
      flights: decodeFlights(raw, keylog, provider),
      keylog,
    };
    const pskExt = hello.extensions.find((e) => e.type === ExtensionType.pre_shared_key);
    if (pskExt === undefined) throw badTrace('§4 ClientHello without pre_shared_key');
    const offered = parsePreSharedKeyClientHello(pskExt.body).identities[0]!;
    // §4.2.11.1: the client's ticket age; the ticket was issued that long before the ClientHello.
    const clientAgeMs = (offered.obfuscatedTicketAge - nst.ticketAgeAdd) >>> 0;
    const state: TicketLookupResult = {
      suite,
      // The PSK the §3 server derived for this ticket (what its ticket encrypts, with the rest below).
      psk: first.one('server', 'generate resumption secret', 'expanded'),
      issuedAt: RFC8448_TIME - clientAgeMs,
      lifetime: nst.ticketLifetime,
      ageAdd: nst.ticketAgeAdd,
      maxEarlyData: maxEarlyDataOf(nst.extensions),
      serverName: 'server',
    };
    const ee = parseEncryptedExtensions(r.message('server', 'EncryptedExtensions').body).extensions;
    const certificate = rfcSigner(
      provider,
      parseCertificateTls13(first.message('server', 'Certificate').body).certificateList[0]!.certData,
      parseCertificateVerify(first.message('server', 'CertificateVerify').body),
    );
    const open = (options: SSLContextOptions, keylog: (line: string) => void) => {
      const ctx = new SSLContext(PROTOCOL_TLS_SERVER, { ...options, now: () => RFC8448_TIME });
      ctx.keylogCallback = keylog;
      ctx.setCiphersuites(suite);
      ctx.setGroups(['x25519']);
      ctx.options |= OP_NO_TICKET; // §4's server sends no NewSessionTicket
      ctx.maxEarlyData = state.maxEarlyData ?? 0;
      ctx.ticketLookupCallback = (identity) => (bytesEqual(identity, offered.identity) ? state : null);
      // §3's certificate, as the RFC server had: a server needs one to start, the resumption never uses it.
      ctx.loadCertChainWithSigner(certificate.pem, certificate.sign);
      // The RFC server orders its ServerHello extensions its own way; the extensions are the engine's.
      const order = sh.extensions.map((e) => e.type);
      ctx.replayHooks = {
        serverHelloExtensions: (defaults) =>
          [...defaults].sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type)),
        encryptedExtensions: () => ee,
      };
      return { context: ctx, connection: wrapMemory(ctx, { serverSide: true }) };
    };
    cases.push({ name: `${title}, server`, side: 'server', transcript, open });
  }
  return cases;
}

function maxEarlyDataOf(extensions: readonly { type: number; body: Uint8Array }[]): number {
  const ext = extensions.find((e) => e.type === ExtensionType.early_data);
  return ext === undefined ? 0 : parseEarlyDataNewSessionTicket(ext.body);
}

/** Runs every side of a trace; skipped sides carry their reason. `related`: see {@link rfc8448Cases}. */
export function runRfc8448(
  trace: Rfc8448Trace,
  provider: CryptoProvider = defaultProvider,
  related: readonly Rfc8448Trace[] = [],
): Rfc8448Result[] {
  return rfc8448Cases(trace, provider, related).map((c) => {
    if (c.skip !== undefined || c.transcript === undefined)
      return { name: c.name, side: c.side, skip: c.skip ?? 'not runnable' };
    const result = replayTranscript(c.transcript, { provider, ...(c.open === undefined ? {} : { open: c.open }) });
    return { name: c.name, side: c.side, result };
  });
}
