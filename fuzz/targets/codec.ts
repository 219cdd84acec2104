/**
 * Fuzz targets for @sanstls/core's wire codec (E1): the record layer framing, handshake reassembly,
 * every handshake message (both TLS 1.3 and TLS 1.2 forms) and every typed extension.
 *
 * Besides "only CodecErrors", the oracle checks the codec's lossless-round-trip promise: whatever
 * decodes must encode back to the very bytes it came from.
 */
import { readdirSync, readFileSync } from 'node:fs';
import {
  ContentType,
  type DecodedHandshake,
  decodeHandshake,
  decodeInnerPlaintext,
  type Extension,
  type ExtensionContext,
  encodeDecodedHandshake,
  extensionCodec,
  type HandshakeDecodeContext,
  HandshakeDefragmenter,
  isValidChangeCipherSpec,
  MAX_TLS13_CIPHERTEXT_LENGTH,
  parseAlert,
  parseExtensionBlock,
  parseRecordHeader,
  RECORD_HEADER_LENGTH,
  splitHandshake,
} from '@sanstls/core/codec';
import type { FuzzTarget } from '../engine.js';

/** Raised when the codec breaks its own promise (not an SSLError: the oracle reports it). */
export class RoundTripMismatch extends Error {}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const RFC8448_DIR = new URL('../../test-vectors/rfc8448/', import.meta.url);

interface TraceItem {
  side: string;
  step: string;
  label: string;
  hex: string;
}

/** Every value of the RFC 8448 traces with one of `labels`. */
export function rfc8448Values(labels: readonly string[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const file of readdirSync(RFC8448_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const trace = JSON.parse(readFileSync(new URL(file, RFC8448_DIR), 'utf8')) as { items?: TraceItem[] };
    for (const item of trace.items ?? []) {
      if (labels.includes(item.label) && item.hex !== '') out.push(new Uint8Array(Buffer.from(item.hex, 'hex')));
    }
  }
  return out;
}

const HANDSHAKE_LABELS = [
  'ClientHello',
  'ServerHello',
  'EncryptedExtensions',
  'Certificate',
  'CertificateRequest',
  'CertificateVerify',
  'Finished',
  'NewSessionTicket',
  'EndOfEarlyData',
];

/** The decode contexts a fuzz input can select with its first byte. */
const CONTEXTS: HandshakeDecodeContext[] = [
  { version: 'TLSv1.3', finishedLength: 32 },
  { version: 'TLSv1.3', finishedLength: 48 },
  { version: 'TLSv1.2', keyExchange: 'ecdhe', finishedLength: 12 },
  { version: 'TLSv1.2', keyExchange: 'dhe', finishedLength: 12 },
  { version: 'TLSv1.2' },
];

/** Where each decoded message keeps its extension blocks, and in which RFC 8446 §4.2 context. */
function extensionBlocks(d: DecodedHandshake): [ExtensionContext, Extension[]][] {
  switch (d.kind) {
    case 'client_hello':
      return [['CH', d.message.extensions]];
    case 'server_hello':
      return [['SH', d.message.extensions]];
    case 'hello_retry_request':
      return [['HRR', d.message.extensions]];
    case 'encrypted_extensions':
      return [['EE', d.message.extensions]];
    case 'certificate_tls13':
      return d.message.certificateList.map((e) => ['CT', e.extensions] as [ExtensionContext, Extension[]]);
    case 'certificate_request_tls13':
      return [['CR', d.message.extensions]];
    case 'new_session_ticket_tls13':
      return [['NST', d.message.extensions]];
    default:
      return [];
  }
}

/** Decodes one message fully (extensions included) and checks it re-encodes to the same bytes. */
function decodeFully(msg: { type: number; body: Uint8Array; raw: Uint8Array }, context: HandshakeDecodeContext): void {
  const decoded = decodeHandshake(msg, context);
  const again = encodeDecodedHandshake(decoded);
  if (!equalBytes(again, msg.raw)) {
    throw new RoundTripMismatch(`${decoded.kind} re-encodes differently:\n in  ${hex(msg.raw)}\n out ${hex(again)}`);
  }
  for (const [where, extensions] of extensionBlocks(decoded)) {
    parseExtensionBlock(where, extensions, { tls13: context.version === 'TLSv1.3' });
  }
}

/** Input: one context-selector byte, then a stream of handshake messages (fragmented at will). */
export const handshakeTarget: FuzzTarget = {
  name: 'handshake',
  seeds: () => rfc8448Values(HANDSHAKE_LABELS).map((m) => Uint8Array.of(0, ...m)),
  run: (input) => {
    const context = CONTEXTS[(input[0] ?? 0) % CONTEXTS.length] as HandshakeDecodeContext;
    const defrag = new HandshakeDefragmenter({ maxMessageSize: 1 << 14 });
    // Feed in uneven fragments (the second byte picks the fragment size) to exercise reassembly.
    const step = 1 + ((input[1] ?? 0) % 7) * 97;
    for (let at = 1; at < input.length; at += step) {
      defrag.push(input.subarray(at, Math.min(input.length, at + step)));
      for (let m = defrag.next(); m !== undefined; m = defrag.next()) decodeFully(m, context);
    }
    // A whole buffer of messages split at once, as the engine does for coalesced flights.
    splitHandshake(input.subarray(1));
  },
  dictionary: [
    Uint8Array.of(0x00, 0x2b, 0x00, 0x03, 0x02, 0x03, 0x04), // supported_versions TLS 1.3 (CH)
    Uint8Array.of(0x00, 0x2b, 0x00, 0x02, 0x03, 0x04), // supported_versions (SH)
    Uint8Array.of(0x00, 0x29), // pre_shared_key
    Uint8Array.of(0x00, 0x2a, 0x00, 0x00), // early_data (empty)
    Uint8Array.of(0x00, 0x33), // key_share
    Uint8Array.of(0x00, 0x2c), // cookie
    Uint8Array.of(0x00, 0x10), // ALPN
    Uint8Array.of(0x00, 0x05), // status_request
    Uint8Array.of(0x00, 0x1c, 0x00, 0x02, 0x40, 0x01), // record_size_limit
    Uint8Array.of(0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11), // HRR random prefix
    Uint8Array.of(0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01), // downgrade sentinel
  ],
  maxLength: 8192,
};

const EXTENSION_CONTEXTS: ExtensionContext[] = ['CH', 'SH', 'HRR', 'EE', 'CT', 'CR', 'NST'];

/** Input: context byte, u16 extension type, then the body. Typed codecs must round-trip exactly. */
export const extensionTarget: FuzzTarget = {
  name: 'extension',
  seeds: () => {
    const out: Uint8Array[] = [];
    for (const m of rfc8448Values(HANDSHAKE_LABELS)) {
      let decoded: DecodedHandshake;
      try {
        decoded = decodeHandshake(
          { type: m[0] ?? 0, body: m.subarray(4), raw: m },
          CONTEXTS[0] as HandshakeDecodeContext,
        );
      } catch {
        continue; // the §4 truncated ClientHello
      }
      for (const [where, list] of extensionBlocks(decoded)) {
        for (const e of list)
          out.push(Uint8Array.of(EXTENSION_CONTEXTS.indexOf(where), e.type >> 8, e.type & 0xff, ...e.body));
      }
    }
    return out;
  },
  run: (input) => {
    if (input.length < 3) return;
    const where = EXTENSION_CONTEXTS[(input[0] ?? 0) % EXTENSION_CONTEXTS.length] as ExtensionContext;
    const type = ((input[1] ?? 0) << 8) | (input[2] ?? 0);
    const body = input.subarray(3);
    const codec = extensionCodec(where, type);
    if (codec === undefined) return;
    const value = codec.parse(body);
    if (codec.kind !== 'raw') {
      const again = codec.encode(value);
      if (!equalBytes(again, body)) {
        throw new RoundTripMismatch(
          `extension ${type} in ${where} re-encodes differently:\n in  ${hex(body)}\n out ${hex(again)}`,
        );
      }
    }
  },
  maxLength: 2048,
};

/** Input: a byte stream of records, read as a TLS 1.3 receiver reads before and after keys. */
export const recordTarget: FuzzTarget = {
  name: 'record',
  seeds: () => rfc8448Values(['complete record']),
  run: (input) => {
    const defrag = new HandshakeDefragmenter();
    let at = 0;
    for (;;) {
      const header = parseRecordHeader(input, at, MAX_TLS13_CIPHERTEXT_LENGTH);
      if (header === undefined) break;
      const start = at + RECORD_HEADER_LENGTH;
      if (input.length - start < header.length) break; // wait for more
      const fragment = input.subarray(start, start + header.length);
      at = start + header.length;
      switch (header.type) {
        case ContentType.alert:
          parseAlert(fragment);
          break;
        case ContentType.change_cipher_spec:
          isValidChangeCipherSpec(fragment);
          break;
        case ContentType.handshake:
          defrag.push(fragment);
          for (let m = defrag.next(); m !== undefined; m = defrag.next())
            decodeFully(m, CONTEXTS[0] as HandshakeDecodeContext);
          break;
        case ContentType.application_data: {
          // As if decrypted: the TLSInnerPlaintext and, inside, the real content.
          const inner = decodeInnerPlaintext(fragment);
          if (inner.type === ContentType.alert) parseAlert(inner.content);
          if (inner.type === ContentType.handshake) {
            defrag.push(inner.content);
            for (let m = defrag.next(); m !== undefined; m = defrag.next())
              decodeFully(m, CONTEXTS[0] as HandshakeDecodeContext);
          }
          break;
        }
      }
    }
  },
  maxLength: 8192,
};

export const codecTargets: FuzzTarget[] = [recordTarget, handshakeTarget, extensionTarget];
