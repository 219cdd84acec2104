/**
 * The replayer (issue #11): runs the recorded side of a {@link Transcript} again — same settings, the
 * recorded RNG values and clock readings — feeds it the recorded peer's flights, and compares what it
 * sends with what was recorded, byte for byte. The engine is deterministic given its inputs, so a
 * faithful recording replays exactly; the first byte that differs is reported with its flight, record
 * and the messages around it, and every message of the recorded side is checked on its own.
 *
 * Application data and close_notify are the application's doing, not the engine's: when the recording
 * shows the recorded side sending them (readable through the logged secrets), the replayer calls
 * `write()` / `unwrap()` / `keyUpdate()` at that point, exactly as the recorded application did.
 * @module
 */
import { SSLError, SSLWantReadError, SSLZeroReturnError } from '@sanstls/x509';
import { PROTOCOL_TLS_CLIENT, PROTOCOL_TLS_SERVER } from '../constants.js';
import { SSLContext, type SSLContextOptions } from '../context.js';
import { defaultProvider } from '../crypto/noble.js';
import type { CryptoProvider } from '../crypto/provider.js';
import { MemoryBIO } from '../memorybio.js';
import type { SSLObject } from '../sslobject.js';
import {
  concatBytes,
  decodeFlights,
  flightBytes,
  fromHex,
  type Side,
  TRANSCRIPT_FORMAT,
  type Transcript,
  type TranscriptFlight,
  type TranscriptRecord,
  type TranscriptSettings,
  toHex,
} from './transcript.js';

/** Builds the recorded side's SSLContext from transcript settings (anything unset keeps the default). */
export function transcriptContext(settings: TranscriptSettings, options: SSLContextOptions = {}): SSLContext {
  const ctx = new SSLContext(settings.serverSide ? PROTOCOL_TLS_SERVER : PROTOCOL_TLS_CLIENT, options);
  if (settings.options !== undefined) ctx.options = settings.options;
  if (settings.minimumVersion !== undefined) ctx.minimumVersion = settings.minimumVersion;
  if (settings.maximumVersion !== undefined) ctx.maximumVersion = settings.maximumVersion;
  if (settings.ciphers !== undefined) ctx.setCiphers(settings.ciphers);
  if (settings.ciphersuites !== undefined) ctx.setCiphersuites(settings.ciphersuites);
  if (settings.groups !== undefined) ctx.setGroups(settings.groups);
  if (settings.alpnProtocols !== undefined) ctx.setAlpnProtocols(settings.alpnProtocols);
  // Python's coupling: check_hostname must be off before verify_mode may become CERT_NONE.
  if (settings.checkHostname !== undefined) ctx.checkHostname = settings.checkHostname;
  if (settings.verifyMode !== undefined) ctx.verifyMode = settings.verifyMode;
  if (settings.cadata !== undefined) ctx.loadVerifyLocations({ cadata: settings.cadata });
  if (settings.certChain !== undefined) ctx.loadCertChain(settings.certChain, settings.privateKey ?? null);
  return ctx;
}

/** An SSLObject over fresh MemoryBIOs, as {@link replayTranscript} and the recorder's users need. */
export interface BioConnection {
  readonly obj: SSLObject;
  readonly incoming: MemoryBIO;
  readonly outgoing: MemoryBIO;
}

export function wrapMemory(ctx: SSLContext, settings: Pick<TranscriptSettings, 'serverSide' | 'serverHostname'>) {
  const incoming = new MemoryBIO();
  const outgoing = new MemoryBIO();
  const obj = ctx.wrapBio(
    incoming,
    outgoing,
    settings.serverSide ? { serverSide: true } : { serverHostname: settings.serverHostname ?? null },
  );
  return { obj, incoming, outgoing };
}

export interface ReplayOptions {
  /**
   * Builds the side to replay from the context options the replayer supplies (scripted RNG and clock,
   * its crypto provider) and key-log sink, which must be the context's `keylogCallback` before
   * `wrapBio`. Default: {@link transcriptContext} of `transcript.settings`, over MemoryBIOs.
   */
  readonly open?: (
    options: SSLContextOptions,
    keylog: (line: string) => void,
  ) => { context: SSLContext; connection: BioConnection };
  readonly provider?: CryptoProvider;
  /** Clock for the replay when the transcript's readings run out (default: the last reading, else 0). */
  readonly now?: () => number;
}

/** Where the replay first differed from the recording. */
export interface ReplayDifference {
  /** 1-based flight index in `transcript.flights`, or flights.length + 1 for output after the last one. */
  readonly flight: number;
  /** Byte offset in that flight. */
  readonly offset: number;
  /** 1-based record in the flight holding the offset (undefined past the recorded records). */
  readonly record: number | undefined;
  readonly recordOffset: number | undefined;
  /** Recorded byte (undefined: the recording ends here). */
  readonly expected: number | undefined;
  /** Replayed byte (undefined: the engine sent nothing more). */
  readonly actual: number | undefined;
  /** Human-readable location, e.g. `flight 2 (server) record 2 (application_data → handshake: …) byte 14`. */
  readonly where: string;
}

/** One message (or non-handshake record) the recorded side sent, checked on its own. */
export interface MessageCheck {
  readonly flight: number;
  readonly record: number;
  /** `client_hello`, `finished`, `application_data`, `alert close_notify`, `change_cipher_spec`, … */
  readonly name: string;
  readonly status: 'pass' | 'FAIL' | 'missing';
  readonly detail?: string;
}

export interface ReplayResult {
  /** True when every byte the engine sent equals the recording, and nothing more was sent. */
  readonly ok: boolean;
  readonly difference: ReplayDifference | undefined;
  /** The engine's error during the replay, if any (a recorded failure replays as the same failure). */
  readonly error: SSLError | undefined;
  /** RNG or clock use that differed from the recording. */
  readonly notes: readonly string[];
  readonly messages: readonly MessageCheck[];
  /** What the engine did, as a transcript (decoded with its own secrets). */
  readonly actual: Transcript;
  /** Application data the replayed side read from its peer. */
  readonly received: Uint8Array;
}

/** The record of a decoded flight starting exactly at `offset`, with its index. */
function recordAt(flight: TranscriptFlight, offset: number): { record: TranscriptRecord; index: number } | undefined {
  let at = 0;
  for (const [index, record] of flight.records.entries()) {
    if (at === offset) return { record, index };
    at += record.hex.length / 2;
    if (at > offset) return undefined;
  }
  return undefined;
}

function locate(flight: TranscriptFlight, offset: number): { record?: number; recordOffset?: number } {
  let at = 0;
  for (const [index, record] of flight.records.entries()) {
    const length = record.hex.length / 2;
    if (offset < at + length) return { record: index + 1, recordOffset: offset - at };
    at += length;
  }
  return {};
}

function describeRecord(r: TranscriptRecord): string {
  const inner = r.decrypted ? ` → ${r.decrypted.type}` : r.encrypted ? ' (encrypted)' : '';
  const what = r.messages?.length
    ? `: ${r.messages.map((m) => m.type).join(', ')}`
    : r.alert
      ? `: ${r.alert.level} ${r.alert.description}`
      : '';
  return `${r.type}${inner}${what}`;
}

/** The units checked per message: each handshake message, else the record's (decrypted) content. */
function units(flight: TranscriptFlight): { record: number; name: string; hex: string }[] {
  const out: { record: number; name: string; hex: string }[] = [];
  for (const [i, r] of flight.records.entries()) {
    if (r.messages?.length) {
      for (const m of r.messages) out.push({ record: i + 1, name: m.type, hex: m.hex });
    } else if (r.alert) {
      out.push({ record: i + 1, name: `alert ${r.alert.description}`, hex: r.decrypted?.hex ?? r.hex.slice(10) });
    } else if (r.decrypted) {
      out.push({ record: i + 1, name: r.decrypted.type, hex: r.decrypted.hex });
    } else if (r.type === 'handshake') {
      // A fragment of a message completed in a later record: compare the record's bytes.
      out.push({ record: i + 1, name: 'handshake fragment', hex: r.hex });
    } else {
      out.push({ record: i + 1, name: r.encrypted ? `${r.type} (encrypted)` : r.type, hex: r.hex });
    }
  }
  return out;
}

function firstDifference(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i += 2) if (a.slice(i, i + 2) !== b.slice(i, i + 2)) return i / 2;
  return n / 2;
}

function byteName(b: number | undefined): string {
  return b === undefined ? 'end' : `0x${b.toString(16).padStart(2, '0')}`;
}

/** Drives the recorded side against the recorded peer; see the module comment. */
export function replayTranscript(transcript: Transcript, options: ReplayOptions = {}): ReplayResult {
  if (transcript.format !== TRANSCRIPT_FORMAT) {
    throw new SSLError(`transcript: format is not ${TRANSCRIPT_FORMAT}`, { library: 'SSL', reason: 'BAD_TRANSCRIPT' });
  }
  const provider = options.provider ?? defaultProvider;
  const side = transcript.side;
  const notes: string[] = [];

  // Scripted RNG: the recorded values in order. A request of another size (or past the end) means the
  // engine took another path: noted, answered with zeros so the byte comparison shows where it went.
  const randoms = transcript.random.map((h, i) => fromHex(h, `random ${i + 1}`));
  let draw = 0;
  const randomBytes = (n: number): Uint8Array => {
    const value = randoms[draw];
    draw++;
    if (value === undefined || value.length !== n) {
      if (notes.length < 8)
        notes.push(
          `RNG draw ${draw} asked for ${n} bytes; the recording has ${value === undefined ? 'no more values' : `${value.length} bytes`}`,
        );
      return new Uint8Array(n);
    }
    return value.slice();
  };
  let reading = 0;
  const now = (): number => {
    const value = transcript.clock[reading];
    reading++;
    if (value !== undefined) return value;
    return options.now?.() ?? transcript.clock[transcript.clock.length - 1] ?? 0;
  };
  const contextOptions: SSLContextOptions = { randomBytes, now, cryptoProvider: provider };
  const keylog: string[] = [];
  const logLine = (line: string) => {
    keylog.push(line);
  };
  let connection: BioConnection;
  if (options.open !== undefined) {
    connection = options.open(contextOptions, logLine).connection;
  } else {
    if (transcript.settings === undefined) {
      throw new SSLError('transcript: no "settings" to rebuild the recorded side (pass open)', {
        library: 'SSL',
        reason: 'BAD_TRANSCRIPT',
      });
    }
    const context = transcriptContext(transcript.settings, contextOptions);
    context.keylogCallback = logLine;
    connection = wrapMemory(context, transcript.settings);
  }
  const { obj, incoming, outgoing } = connection;

  // The recording, re-read from its bytes with its own secrets (hand-edited files stay consistent).
  const expectedRaw = transcript.flights.map((f) => ({ from: f.from, bytes: flightBytes(f), eof: f.eof === true }));
  const expected = decodeFlights(expectedRaw, transcript.keylog, provider);

  let error: SSLError | undefined;
  const received: Uint8Array[] = [];
  let pending: Uint8Array[] = [];
  const drain = () => {
    const out = outgoing.read();
    if (out.length > 0) pending.push(out);
  };
  const attempt = (action: () => void) => {
    try {
      action();
    } catch (e) {
      if (e instanceof SSLWantReadError || e instanceof SSLZeroReturnError) return;
      if (e instanceof SSLError) {
        error ??= e;
        return;
      }
      throw e;
    }
  };
  let established = false;
  const step = () => {
    attempt(() => {
      if (!established) {
        obj.doHandshake();
        established = true;
      }
      for (;;) {
        const data = obj.read(1 << 16);
        if (data.length === 0) break;
        received.push(data);
      }
    });
    drain();
  };

  const actualRaw: { from: Side; bytes: Uint8Array; eof?: boolean }[] = [];
  let difference: ReplayDifference | undefined;
  step();
  for (const [i, flight] of expected.entries()) {
    const bytes = expectedRaw[i]!.bytes;
    if (flight.from !== side) {
      incoming.write(bytes);
      if (flight.eof) incoming.writeEof();
      actualRaw.push({ from: flight.from, bytes, eof: flight.eof === true });
      step();
      continue;
    }
    let actual = concatBytes(pending);
    // Application-initiated records: do what the recorded application did, where it did it.
    for (;;) {
      if (actual.length >= bytes.length || !isPrefix(actual, bytes)) break;
      const next = recordAt(flight, actual.length);
      if (next === undefined || !applicationAction(obj, next.record, attempt)) break;
      drain();
      actual = concatBytes(pending);
    }
    pending = [];
    actualRaw.push({ from: side, bytes: actual });
    const at = firstByteDifference(actual, bytes);
    if (at !== undefined) {
      const loc = locate(flight, at);
      const record = loc.record === undefined ? undefined : flight.records[loc.record - 1];
      difference = {
        flight: i + 1,
        offset: at,
        record: loc.record,
        recordOffset: loc.recordOffset,
        expected: bytes[at],
        actual: actual[at],
        where:
          `flight ${i + 1} (${side}) byte ${at}` +
          (record === undefined
            ? ' (past the recorded records)'
            : `: record ${loc.record} (${describeRecord(record)}) byte ${loc.recordOffset}`) +
          `: recorded ${byteName(bytes[at])}, replayed ${byteName(actual[at])}`,
      };
      break;
    }
  }
  if (difference === undefined) {
    drain();
    const extra = concatBytes(pending);
    if (extra.length > 0) {
      actualRaw.push({ from: side, bytes: extra });
      difference = {
        flight: expected.length + 1,
        offset: 0,
        record: undefined,
        recordOffset: undefined,
        expected: undefined,
        actual: extra[0],
        where: `after the last flight: the engine sent ${extra.length} more bytes than recorded`,
      };
    }
  }
  if (draw < randoms.length && difference === undefined) {
    notes.push(`the replay used ${draw} of ${randoms.length} recorded RNG values`);
  }

  const actualFlights = decodeFlights(actualRaw, keylog, provider);
  const messages: MessageCheck[] = [];
  for (const [i, flight] of expected.entries()) {
    if (flight.from !== side) continue;
    const got = actualFlights[i]?.from === side ? units(actualFlights[i]!) : [];
    for (const [k, want] of units(flight).entries()) {
      const have = got[k];
      if (have === undefined) {
        messages.push({ flight: i + 1, record: want.record, name: want.name, status: 'missing' });
      } else if (have.name === want.name && have.hex === want.hex) {
        messages.push({ flight: i + 1, record: want.record, name: want.name, status: 'pass' });
      } else {
        const at = firstDifference(have.hex, want.hex);
        messages.push({
          flight: i + 1,
          record: want.record,
          name: want.name,
          status: 'FAIL',
          detail:
            have.name === want.name
              ? `byte ${at}: recorded ${byteName(fromHex(want.hex.slice(2 * at, 2 * at + 2))[0])}, replayed ${byteName(fromHex(have.hex.slice(2 * at, 2 * at + 2))[0])}`
              : `replayed ${have.name} instead`,
        });
      }
    }
  }
  const actualTranscript: Transcript = {
    format: TRANSCRIPT_FORMAT,
    ...(transcript.description === undefined ? {} : { description: `replay of: ${transcript.description}` }),
    side,
    ...(transcript.settings === undefined ? {} : { settings: transcript.settings }),
    random: transcript.random.slice(0, draw),
    clock: transcript.clock.slice(0, reading),
    flights: actualFlights,
    keylog,
  };
  return {
    ok: difference === undefined,
    difference,
    error,
    notes,
    messages,
    actual: actualTranscript,
    received: concatBytes(received),
  };
}

function isPrefix(prefix: Uint8Array, of: Uint8Array): boolean {
  if (prefix.length > of.length) return false;
  for (let i = 0; i < prefix.length; i++) if (prefix[i] !== of[i]) return false;
  return true;
}

function firstByteDifference(actual: Uint8Array, expected: Uint8Array): number | undefined {
  const n = Math.min(actual.length, expected.length);
  for (let i = 0; i < n; i++) if (actual[i] !== expected[i]) return i;
  return actual.length === expected.length ? undefined : n;
}

/** Performs the application call behind a recorded record, if it is one; true when something was done. */
function applicationAction(obj: SSLObject, record: TranscriptRecord, attempt: (a: () => void) => void): boolean {
  const content = record.decrypted;
  if (content?.type === 'application_data') {
    attempt(() => obj.write(fromHex(content.hex)));
    return true;
  }
  if (record.alert?.description === 'close_notify') {
    attempt(() => obj.unwrap());
    return true;
  }
  const keyUpdate = record.messages?.find((m) => m.type === 'key_update');
  if (content?.type === 'handshake' && keyUpdate !== undefined) {
    // KeyUpdate body: request_update (RFC 8446 §4.6.3), the byte after the 4-byte header.
    attempt(() => obj.keyUpdate(keyUpdate.hex.slice(8, 10) === '01'));
    return true;
  }
  return false;
}

/** For tests and tools: a transcript with one byte of one flight changed (flight and offset 1-based / 0-based). */
export function mutateTranscript(transcript: Transcript, flight: number, offset: number, xor = 0x01): Transcript {
  const f = transcript.flights[flight - 1];
  if (f === undefined) throw new SSLError(`no flight ${flight}`, { library: 'SSL', reason: 'BAD_TRANSCRIPT' });
  const bytes = flightBytes(f);
  if (offset >= bytes.length)
    throw new SSLError(`flight ${flight} has ${bytes.length} bytes`, { library: 'SSL', reason: 'BAD_TRANSCRIPT' });
  bytes[offset] = bytes[offset]! ^ xor;
  // Re-split into the same record boundaries (hex only: the replayer re-decodes).
  const records: TranscriptRecord[] = [];
  let at = 0;
  for (const r of f.records) {
    const n = r.hex.length / 2;
    records.push({ type: r.type, hex: toHex(bytes.subarray(at, at + n)) });
    at += n;
  }
  const copy: TranscriptFlight = { from: f.from, records };
  if (at < bytes.length) copy.trailing = toHex(bytes.subarray(at));
  const flights = transcript.flights.slice();
  flights[flight - 1] = copy;
  return { ...transcript, flights };
}
