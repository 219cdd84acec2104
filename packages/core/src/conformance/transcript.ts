/**
 * Connection transcripts (issue #11): a {@link TranscriptRecorder} captures one side of a connection —
 * the bytes it sent and received, every value its RNG produced, every clock reading and the secrets as
 * NSS key-log lines — and writes it as readable JSON ({@link Transcript}): flights of records in hex,
 * each record's handshake messages by name, and protected records decrypted with the logged secrets
 * (TLS 1.3 and TLS 1.2 AEAD suites). {@link replayTranscript} (replay.ts) drives the engine against the
 * recorded peer and reports the first byte that differs.
 *
 * A transcript is a test artifact: it holds the RNG output (ephemeral private keys), the traffic
 * secrets and, when {@link TranscriptSettings.privateKey} is set, a private key. Never record a
 * production connection.
 * @module
 */
import { concatBytes, SSLError, toHex } from '@sanstls/x509';
import { tls12SuiteByCode } from '../cipher-string.js';
import {
  AlertDescription,
  AlertLevel,
  ContentType,
  decodeInnerPlaintext,
  ExtensionType,
  findExtension,
  HandshakeDefragmenter,
  HandshakeType,
  parseClientHello,
  parseRecordHeader,
  parseServerHello,
  parseSupportedVersionsServerHello,
  RECORD_HEADER_LENGTH,
} from '../codec/index.js';
import type { SSLContextOptions } from '../context.js';
import { hkdfExpandLabel, writeRecordNonce } from '../crypto/keyschedule.js';
import { tls12KeyBlock } from '../crypto/prf12.js';
import type { AeadKey, CryptoProvider } from '../crypto/provider.js';
import { tls13SuiteByCode } from '../handshake/suites.js';
import type { MemoryBIO } from '../memorybio.js';
import { Tls12RecordProtection } from '../record/protection12.js';

export const TRANSCRIPT_FORMAT = 'sanstls-transcript/1';

export type Side = 'client' | 'server';

/** One handshake message inside a record (plaintext or decrypted). */
export interface TranscriptMessage {
  /** HandshakeType name (`client_hello`, `unknown(0x..)`). */
  readonly type: string;
  /** The whole message, header included. */
  readonly hex: string;
}

/** One record as it crossed the wire, with what could be read from it. */
export interface TranscriptRecord {
  /** ContentType name of the record header. */
  readonly type: string;
  /** The complete record, header included: the bytes the replayer compares. */
  readonly hex: string;
  /** Handshake messages completed by this record (after decryption for protected records). */
  messages?: TranscriptMessage[];
  /** Protected record opened with the logged secrets: real content type and content. */
  decrypted?: { type: string; hex: string; text?: string };
  /** An alert (plaintext or decrypted). */
  alert?: { level: string; description: string };
  /** Protected, but no logged secret opens it. */
  encrypted?: true;
}

/** Bytes that went one way without the other side speaking in between. */
export interface TranscriptFlight {
  readonly from: Side;
  readonly records: TranscriptRecord[];
  /** Bytes after the last complete record (a connection cut mid-record, or not TLS at all). */
  trailing?: string;
  /** The sender closed the connection (TCP FIN) after these bytes, with or without close_notify. */
  eof?: true;
}

/**
 * Enough configuration to rebuild the recorded side's SSLContext ({@link transcriptContext}); anything
 * not set keeps the SSLContext default. Settings the transcript cannot carry (callbacks, custom
 * signers) are given to the replayer through its `configure` hook.
 */
export interface TranscriptSettings {
  readonly serverSide: boolean;
  /** Client: the name sent in server_name and checked against the certificate. */
  readonly serverHostname?: string | null;
  readonly minimumVersion?: number;
  readonly maximumVersion?: number;
  /** SSLContext.options bits. */
  readonly options?: number;
  /** TLS 1.2 cipher string (setCiphers). */
  readonly ciphers?: string;
  /** TLS 1.3 suites (setCiphersuites). */
  readonly ciphersuites?: string;
  readonly groups?: readonly string[];
  readonly alpnProtocols?: readonly string[];
  readonly verifyMode?: number;
  readonly checkHostname?: boolean;
  /** PEM trust anchors (loadVerifyLocations cadata). */
  readonly cadata?: string;
  /** PEM chain, leaf first (loadCertChain). */
  readonly certChain?: string;
  /** PEM private key for certChain. A transcript holding it is a test artifact. */
  readonly privateKey?: string;
}

export interface Transcript {
  readonly format: typeof TRANSCRIPT_FORMAT;
  readonly description?: string;
  /** The side the recorder sat on: the side the replayer runs. */
  readonly side: Side;
  readonly settings?: TranscriptSettings;
  /** Every value the side's RNG returned, in order (hex). */
  readonly random: string[];
  /** Every clock reading (milliseconds since the epoch), in order. */
  readonly clock: number[];
  readonly flights: TranscriptFlight[];
  /** NSS key-log lines (`CLIENT_HANDSHAKE_TRAFFIC_SECRET <client_random> <secret>`). */
  readonly keylog: string[];
}

// --- hex -------------------------------------------------------------------------------------------

function transcriptError(text: string): SSLError {
  return new SSLError(text, { library: 'SSL', reason: 'BAD_TRANSCRIPT' });
}

/** Lower-case hex: x509's, re-exported for the conformance API. */
export { toHex };

/** Hex → bytes; whitespace is ignored. Malformed hex is an SSLError (reason BAD_TRANSCRIPT). */
export function fromHex(text: string, what = 'hex'): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) throw transcriptError(`${what}: not hex`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

// The shared helper (x509's der.ts), re-exported: this module's public surface has always offered it.
export { concatBytes };

/** The bytes of a flight as they crossed the wire. */
export function flightBytes(flight: TranscriptFlight): Uint8Array {
  const parts = flight.records.map((r, i) => fromHex(r.hex, `record ${i + 1}`));
  if (flight.trailing) parts.push(fromHex(flight.trailing, 'trailing'));
  return concatBytes(parts);
}

// --- decoding -------------------------------------------------------------------------------------

/** A record opener for one direction under one key (TLS 1.3 §5.2 or TLS 1.2 AEAD). */
interface Opener {
  open(header: Uint8Array, body: Uint8Array): Uint8Array | null;
  /** Counts a record no key opened (corrupted) as read, so the records after it still open. */
  skip(): void;
}

function tls13Opener(aeadKey: AeadKey, iv: Uint8Array): Opener {
  let sequence = 0;
  const nonce = new Uint8Array(iv.length);
  return {
    open(header, body) {
      writeRecordNonce(nonce, iv, sequence);
      const plain = aeadKey.open(nonce, body, header);
      // §5.3: the sequence number advances per record read; trial decryption must not advance it.
      if (plain !== null) sequence++;
      return plain;
    },
    skip() {
      sequence++;
    },
  };
}

interface KeyLogEntry {
  readonly label: string;
  readonly clientRandom: string;
  readonly secret: Uint8Array;
}

function parseKeyLog(lines: readonly string[]): KeyLogEntry[] {
  const out: KeyLogEntry[] = [];
  for (const line of lines) {
    const parts = line.trim().split(/\s+/);
    if (parts.length !== 3 || parts[0]!.startsWith('#')) continue;
    out.push({ label: parts[0]!, clientRandom: parts[1]!.toLowerCase(), secret: fromHex(parts[2]!, 'key log') });
  }
  return out;
}

interface DirectionState {
  readonly from: Side;
  buffer: Uint8Array;
  readonly handshake: HandshakeDefragmenter;
  /** TLS 1.3: the secrets this direction may use, in order; index of the one in use. */
  stages: Uint8Array[];
  stage: number;
  opener: Opener | undefined;
  /** TLS 1.2: set by ChangeCipherSpec. */
  tls12Protected: boolean;
}

/**
 * Reads records from both directions in the order they crossed the wire, following the handshake far
 * enough to open protected records: ClientHello (client_random), ServerHello (version, suite,
 * server_random), the key-log secrets, KeyUpdate (RFC 8446 §4.6.3) and TLS 1.2 ChangeCipherSpec.
 */
export class TranscriptDecoder {
  private readonly keylog: KeyLogEntry[];
  private readonly provider: CryptoProvider;
  private clientRandom: Uint8Array | undefined;
  private serverRandom: Uint8Array | undefined;
  private version: number | undefined;
  private suite: number | undefined;
  /**
   * 0-RTT (RFC 8446 §2.3): the TLS 1.3 suites a ClientHello offering early_data listed, one of which
   * (the ticket's) protects the early data sent before the ServerHello; then the one that opened it.
   */
  private earlySuites: number[] = [];
  private earlySuite: number | undefined;
  private readonly dirs: Record<Side, DirectionState>;

  constructor(keylog: readonly string[], provider: CryptoProvider) {
    this.keylog = parseKeyLog(keylog);
    this.provider = provider;
    const dir = (from: Side): DirectionState => ({
      from,
      buffer: new Uint8Array(0),
      handshake: new HandshakeDefragmenter({ maxMessageSize: 1 << 24 }),
      stages: [],
      stage: -1,
      opener: undefined,
      tls12Protected: false,
    });
    this.dirs = { client: dir('client'), server: dir('server') };
  }

  /** Splits `bytes` (appended to what `from` sent before) into records and reads them. */
  push(from: Side, bytes: Uint8Array): TranscriptFlight {
    const d = this.dirs[from];
    const buf = concatBytes([d.buffer, bytes]);
    const records: TranscriptRecord[] = [];
    let at = 0;
    for (;;) {
      let header: ReturnType<typeof parseRecordHeader>;
      try {
        header = parseRecordHeader(buf, at, 0xffff);
      } catch {
        break;
      }
      if (header === undefined) break;
      const end = at + RECORD_HEADER_LENGTH + header.length;
      if (end > buf.length) break;
      records.push(this.readRecord(d, buf.subarray(at, end)));
      at = end;
    }
    d.buffer = buf.slice(at);
    const flight: TranscriptFlight = { from, records };
    if (d.buffer.length > 0) flight.trailing = toHex(d.buffer);
    return flight;
  }

  private readRecord(d: DirectionState, record: Uint8Array): TranscriptRecord {
    const type = record[0]!;
    const header = record.subarray(0, RECORD_HEADER_LENGTH);
    const fragment = record.subarray(RECORD_HEADER_LENGTH);
    const out: TranscriptRecord = { type: ContentType.nameOf(type), hex: toHex(record) };
    let contentType = type;
    let content = fragment;
    const tls13 = this.version === 0x0304;
    // Before the ServerHello, protected client records are 0-RTT data under client_early_traffic_secret.
    const early = this.version === undefined && d.from === 'client' && this.earlySuites.length > 0;
    const isProtected13 = (tls13 || early) && type === ContentType.application_data;
    const isProtected12 = !tls13 && d.tls12Protected && type !== ContentType.change_cipher_spec;
    if (isProtected13 || isProtected12) {
      const plain = early
        ? this.openEarly(d, header, fragment)
        : isProtected13
          ? this.open13(d, header, fragment)
          : this.open12(d, header, fragment);
      if (plain === undefined) {
        out.encrypted = true;
        return out;
      }
      if (isProtected13) {
        try {
          const inner = decodeInnerPlaintext(plain);
          contentType = inner.type;
          content = inner.content;
        } catch {
          out.encrypted = true;
          return out;
        }
      } else {
        content = plain;
      }
      out.decrypted = { type: ContentType.nameOf(contentType), hex: toHex(content) };
      if (contentType === ContentType.application_data && /^[\t\n\r\x20-\x7e]*$/.test(latin1(content))) {
        out.decrypted.text = latin1(content);
      }
    }
    if (contentType === ContentType.alert && content.length === 2) {
      out.alert = { level: AlertLevel.nameOf(content[0]!), description: AlertDescription.nameOf(content[1]!) };
    }
    // RFC 5246 §7.1: after ChangeCipherSpec the sender's records are protected (TLS 1.2 only; a TLS 1.3
    // middlebox-compatibility CCS changes nothing, and one before the ServerHello is a probe's oddity).
    if (contentType === ContentType.change_cipher_spec && this.version !== undefined && !tls13) d.tls12Protected = true;
    if (contentType === ContentType.handshake) {
      const messages: TranscriptMessage[] = [];
      try {
        d.handshake.push(content.slice());
        for (let m = d.handshake.next(); m !== undefined; m = d.handshake.next()) {
          messages.push({ type: HandshakeType.nameOf(m.type), hex: toHex(m.raw) });
          this.onMessage(d, m.type, m.body);
        }
      } catch {
        // A malformed handshake stream: the record stays as bytes; nothing more is decoded.
      }
      if (messages.length > 0) out.messages = messages;
    }
    return out;
  }

  private onMessage(d: DirectionState, type: number, body: Uint8Array): void {
    try {
      if (type === HandshakeType.client_hello && this.clientRandom === undefined) {
        const hello = parseClientHello(body);
        this.clientRandom = hello.random.slice();
        if (findExtension(hello.extensions, ExtensionType.early_data) !== undefined)
          this.earlySuites = hello.cipherSuites.filter((c) => tls13SuiteByCode(c) !== undefined);
      } else if (type === HandshakeType.server_hello) {
        const hello = parseServerHello(body);
        if (hello.kind !== 'server_hello') return;
        this.serverRandom = hello.random.slice();
        this.suite = hello.cipherSuite;
        const sv = findExtension(hello.extensions, ExtensionType.supported_versions);
        this.version = sv === undefined ? hello.legacyVersion : parseSupportedVersionsServerHello(sv.body);
        if (this.version === 0x0304) this.setUpTls13();
      } else if (type === HandshakeType.key_update && this.version === 0x0304) {
        // §7.2: application_traffic_secret_N+1 = HKDF-Expand-Label(secret_N, "traffic upd", "", Hash.length).
        const suite = tls13SuiteByCode(this.suite ?? 0);
        const current = d.stages[d.stage];
        if (suite === undefined || current === undefined) return;
        const hash = this.provider.hash(suite.hash);
        d.stages = [
          ...d.stages.slice(0, d.stage + 1),
          hkdfExpandLabel(hash, current, 'traffic upd', new Uint8Array(0), hash.outputLength),
        ];
        d.stage = d.stages.length - 2;
        d.opener = undefined;
        this.advance(d);
      }
    } catch {
      // Unparseable hello: records after it stay encrypted.
    }
  }

  private secret(label: string): Uint8Array | undefined {
    if (this.clientRandom === undefined) return undefined;
    const cr = toHex(this.clientRandom);
    return this.keylog.find((e) => e.label === label && e.clientRandom === cr)?.secret;
  }

  private setUpTls13(): void {
    const labels: Record<Side, string[]> = {
      client: ['CLIENT_EARLY_TRAFFIC_SECRET', 'CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0'],
      server: ['SERVER_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_TRAFFIC_SECRET_0'],
    };
    for (const side of ['client', 'server'] as const) {
      const d = this.dirs[side];
      const stages = labels[side].map((l) => this.secret(l)).filter((s): s is Uint8Array => s !== undefined);
      // 0-RTT data already read under the early key of this suite: EndOfEarlyData follows under it (§4.5).
      const keepEarly = side === 'client' && d.opener !== undefined && this.earlySuite === this.suite;
      d.stages = stages;
      if (keepEarly) continue;
      d.stage = -1;
      d.opener = undefined;
    }
  }

  /** 0-RTT data before the ServerHello: the early key of whichever offered suite opens it. */
  private openEarly(d: DirectionState, header: Uint8Array, body: Uint8Array): Uint8Array | undefined {
    if (d.opener !== undefined) {
      const plain = d.opener.open(header, body);
      if (plain === null) d.opener.skip(); // a corrupted record still took its sequence number
      return plain ?? undefined;
    }
    const secret = this.secret('CLIENT_EARLY_TRAFFIC_SECRET');
    if (secret === undefined) return undefined;
    for (const code of this.earlySuites) {
      const suite = tls13SuiteByCode(code)!;
      const hash = this.provider.hash(suite.hash);
      if (secret.length !== hash.outputLength) continue;
      const key = hkdfExpandLabel(hash, secret, 'key', new Uint8Array(0), suite.keyLength);
      const iv = hkdfExpandLabel(hash, secret, 'iv', new Uint8Array(0), 12);
      const opener = tls13Opener(this.provider.aead(suite.aead).create(key), iv);
      const plain = opener.open(header, body);
      if (plain !== null) {
        this.earlySuite = code;
        d.stages = [secret];
        d.stage = 0;
        d.opener = opener;
        return plain;
      }
    }
    return undefined;
  }

  /** Moves a direction to its next secret; false when there is none. */
  private advance(d: DirectionState): boolean {
    const suite = tls13SuiteByCode(this.suite ?? 0);
    if (suite === undefined || d.stage + 1 >= d.stages.length) return false;
    d.stage++;
    const hash = this.provider.hash(suite.hash);
    const secret = d.stages[d.stage]!;
    const key = hkdfExpandLabel(hash, secret, 'key', new Uint8Array(0), suite.keyLength);
    const iv = hkdfExpandLabel(hash, secret, 'iv', new Uint8Array(0), 12);
    d.opener = tls13Opener(this.provider.aead(suite.aead).create(key), iv);
    return true;
  }

  /**
   * Opens a TLS 1.3 record: with the key in use, else the next ones in order (early data may be
   * absent or rejected, so which key comes next is only known by trying).
   */
  private open13(d: DirectionState, header: Uint8Array, body: Uint8Array): Uint8Array | undefined {
    if (d.opener === undefined && !this.advance(d)) return undefined;
    const saved = { stage: d.stage, opener: d.opener };
    for (;;) {
      const plain = d.opener?.open(header, body);
      if (plain) return plain;
      if (!this.advance(d)) break;
    }
    // Nothing opened it: a corrupted record under the key we had. Keep that key, count the record.
    d.stage = saved.stage;
    d.opener = saved.opener;
    d.opener?.skip();
    return undefined;
  }

  private tls12Openers: Record<Side, Tls12RecordProtection> | undefined;

  private open12(d: DirectionState, header: Uint8Array, body: Uint8Array): Uint8Array | undefined {
    if (this.tls12Openers === undefined) {
      const suite = tls12SuiteByCode(this.suite ?? 0);
      const master = this.secret('CLIENT_RANDOM');
      if (suite === undefined || master === undefined || this.clientRandom === undefined || !this.serverRandom)
        return undefined;
      const block = tls12KeyBlock(this.provider.hash(suite.hash), master, this.clientRandom, this.serverRandom, {
        macKeyLength: 0,
        keyLength: suite.keyLength,
        ivLength: suite.fixedIvLength,
      });
      const aead = this.provider.aead(suite.aead);
      this.tls12Openers = {
        client: new Tls12RecordProtection(aead, suite, block.clientWriteKey, block.clientWriteIv),
        server: new Tls12RecordProtection(aead, suite, block.serverWriteKey, block.serverWriteIv),
      };
    }
    const opener = this.tls12Openers[d.from];
    const sequence = opener.sequence;
    try {
      return opener.open(header, body);
    } catch {
      // A corrupted record still took its sequence number (RFC 5246 §6.1).
      opener.sequence = sequence + 1;
      return undefined;
    }
  }
}

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

/** Decodes raw flights (in wire order) into transcript flights with records, messages and plaintext. */
export function decodeFlights(
  raw: readonly { from: Side; bytes: Uint8Array; eof?: boolean }[],
  keylog: readonly string[],
  provider: CryptoProvider,
): TranscriptFlight[] {
  const decoder = new TranscriptDecoder(keylog, provider);
  return raw.map(({ from, bytes, eof }) => {
    const flight = decoder.push(from, bytes);
    if (eof) flight.eof = true;
    return flight;
  });
}

// --- recording --------------------------------------------------------------------------------------

export interface TranscriptRecorderOptions {
  readonly side: Side;
  readonly description?: string;
  readonly settings?: TranscriptSettings;
  /** The RNG the recorded side uses (every value it returns is recorded). */
  readonly randomBytes: (n: number) => Uint8Array;
  /** The clock the recorded side uses (every reading is recorded). */
  readonly now: () => number;
  /** Provider used to decrypt records when writing the transcript (the context's, usually). */
  readonly provider: CryptoProvider;
}

/**
 * Records one side of a connection. Give the context {@link contextOptions} (RNG and clock pass
 * through the recorder) and {@link keylog}; report bytes with {@link sent} / {@link received}, or
 * {@link tap} the SSLObject's MemoryBIOs; {@link transcript} returns the JSON-ready result.
 */
export class TranscriptRecorder {
  readonly side: Side;
  private readonly options: TranscriptRecorderOptions;
  private readonly random: string[] = [];
  private readonly clock: number[] = [];
  private readonly lines: string[] = [];
  private readonly raw: { from: Side; chunks: Uint8Array[]; eof: boolean }[] = [];

  constructor(options: TranscriptRecorderOptions) {
    this.side = options.side;
    this.options = options;
  }

  /** The RNG to give the context: records every value. */
  readonly randomBytes = (n: number): Uint8Array => {
    const value = this.options.randomBytes(n);
    this.random.push(toHex(value));
    return value;
  };

  /** The clock to give the context: records every reading. */
  readonly now = (): number => {
    const value = this.options.now();
    this.clock.push(value);
    return value;
  };

  /** For SSLContext.keylogCallback. */
  readonly keylog = (line: string): void => {
    this.lines.push(line);
  };

  /** `new SSLContext(protocol, recorder.contextOptions())`. */
  contextOptions(): SSLContextOptions {
    return { randomBytes: this.randomBytes, now: this.now, cryptoProvider: this.options.provider };
  }

  private add(from: Side, bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const last = this.raw[this.raw.length - 1];
    if (last !== undefined && last.from === from && !last.eof) last.chunks.push(bytes.slice());
    else this.raw.push({ from, chunks: [bytes.slice()], eof: false });
  }

  private addEof(from: Side): void {
    const last = this.raw[this.raw.length - 1];
    if (last !== undefined && last.from === from) last.eof = true;
    else this.raw.push({ from, chunks: [], eof: true });
  }

  /** The peer closed the connection (TCP FIN): replayed as `incoming.writeEof()`. */
  receivedEof(): void {
    this.addEof(this.side === 'client' ? 'server' : 'client');
  }

  /** Bytes the recorded side sent. */
  sent(bytes: Uint8Array): void {
    this.add(this.side, bytes);
  }

  /** Bytes the recorded side received from its peer. */
  received(bytes: Uint8Array): void {
    this.add(this.side === 'client' ? 'server' : 'client', bytes);
  }

  /**
   * Records what passes through an SSLObject's BIOs: writes into `incoming` as received (and its
   * `writeEof` as the peer closing), reads from `outgoing` as sent. Call before the first byte moves.
   */
  tap(incoming: MemoryBIO, outgoing: MemoryBIO): void {
    const write = incoming.write.bind(incoming);
    incoming.write = (buf) => {
      const bytes =
        typeof buf === 'string'
          ? new TextEncoder().encode(buf)
          : buf instanceof Uint8Array
            ? buf
            : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
      this.received(bytes);
      return write(bytes);
    };
    const writeEof = incoming.writeEof.bind(incoming);
    incoming.writeEof = () => {
      this.receivedEof();
      writeEof();
    };
    const read = outgoing.read.bind(outgoing);
    outgoing.read = (n) => {
      const bytes = read(n);
      this.sent(bytes);
      return bytes;
    };
  }

  transcript(): Transcript {
    const raw = this.raw.map((f) => ({ from: f.from, bytes: concatBytes(f.chunks), eof: f.eof }));
    const flights = decodeFlights(raw, this.lines, this.options.provider);
    return {
      format: TRANSCRIPT_FORMAT,
      ...(this.options.description === undefined ? {} : { description: this.options.description }),
      side: this.side,
      ...(this.options.settings === undefined ? {} : { settings: this.options.settings }),
      random: [...this.random],
      clock: [...this.clock],
      flights,
      keylog: [...this.lines],
    };
  }
}

/** A transcript as the JSON text `sanstls vectors` reads (2-space indent, one record per object). */
export function formatTranscript(transcript: Transcript): string {
  return `${JSON.stringify(transcript, null, 2)}\n`;
}

/** Parses and checks a transcript file's JSON (SSLError with reason BAD_TRANSCRIPT when malformed). */
export function parseTranscript(text: string): Transcript {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw transcriptError(`transcript: not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const t = value as Partial<Transcript>;
  if (typeof t !== 'object' || t === null || t.format !== TRANSCRIPT_FORMAT)
    throw transcriptError(`transcript: "format" is not "${TRANSCRIPT_FORMAT}"`);
  if (t.side !== 'client' && t.side !== 'server') throw transcriptError('transcript: "side" must be client or server');
  if (!Array.isArray(t.flights) || !Array.isArray(t.random) || !Array.isArray(t.clock) || !Array.isArray(t.keylog))
    throw transcriptError('transcript: "flights", "random", "clock" and "keylog" must be arrays');
  for (const [i, f] of t.flights.entries()) {
    if ((f.from !== 'client' && f.from !== 'server') || !Array.isArray(f.records))
      throw transcriptError(`transcript: flight ${i + 1} needs "from" and "records"`);
    for (const r of f.records)
      if (typeof r.hex !== 'string') throw transcriptError(`transcript: flight ${i + 1}: record without hex`);
  }
  for (const r of t.random) if (typeof r !== 'string') throw transcriptError('transcript: "random" holds hex strings');
  for (const c of t.clock) if (typeof c !== 'number') throw transcriptError('transcript: "clock" holds numbers');
  return t as Transcript;
}
