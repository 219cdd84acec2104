/**
 * Handshake messages (RFC 8446 §4, RFC 5246 §7.4, RFC 6066 §8, RFC 5077 §3.3, RFC 8422 §5).
 *
 * `parse…(body)` takes the message body (without the 4-byte header) and consumes it exactly;
 * `encode…(msg)` returns the full message including its header, ready for the transcript and the record
 * layer. Byte fields of parsed messages are views of the input.
 * @module
 */
import { type DeviationCollector, deviate } from './deviations.js';
import { ExtensionType, HandshakeType } from './enums.js';
import { CodecAlert, CodecError, DecodeError, EncodeError, IllegalParameterError } from './errors.js';
import { type Extension, findExtension, readExtensions, writeExtensions } from './extensions.js';
import type { HandshakeMessage } from './handshake-buffer.js';
import { Reader } from './reader.js';
import { Writer } from './writer.js';

// --- framing -------------------------------------------------------------------------------------

/** `Handshake { HandshakeType msg_type; uint24 length; body }` (RFC 8446 §4). */
export function encodeHandshake(type: number, body: Uint8Array): Uint8Array {
  if (body.length > 0xffffff) throw new EncodeError(`handshake body of ${body.length} bytes`);
  const out = new Uint8Array(4 + body.length);
  out[0] = type;
  out[1] = body.length >>> 16;
  out[2] = body.length >>> 8;
  out[3] = body.length;
  out.set(body, 4);
  return out;
}

/** Writes a whole handshake message with a back-patched length into a fresh buffer. */
function buildHandshake(type: number, writeBody: (w: Writer) => void, capacity = 256): Uint8Array {
  const w = new Writer(capacity);
  w.u8(type).vec24(writeBody);
  return w.finish();
}

/** Splits one complete handshake message (header + body, nothing after it). */
export function splitHandshake(raw: Uint8Array): HandshakeMessage {
  const r = new Reader(raw);
  const type = r.u8('handshake type');
  const body = r.vec24(`${HandshakeType.nameOf(type)} body`);
  r.expectEnd('handshake message');
  return { type, body, raw };
}

function parseBody<T>(body: Uint8Array, what: string, parse: (r: Reader) => T, deviations?: DeviationCollector): T {
  const r = new Reader(body, 0, body.length, deviations);
  const value = parse(r);
  r.expectEnd(what);
  return value;
}

/** RFC 8446 §4.1.2, §4.1.3: `Random random` is 32 bytes. */
export const RANDOM_LENGTH = 32;

function writeRandom(w: Writer, random: Uint8Array, what: string): void {
  if (random.length !== RANDOM_LENGTH) throw new EncodeError(`${what} random of ${random.length} bytes`);
  w.bytes(random);
}

// --- ClientHello (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2) --------------------------------------------

export interface ClientHello {
  legacyVersion: number;
  random: Uint8Array;
  /** `opaque legacy_session_id<0..32>`. */
  legacySessionId: Uint8Array;
  /** `CipherSuite cipher_suites<2..2^16-2>`, in the client's order (GREASE and SCSVs included). */
  cipherSuites: number[];
  /** `opaque legacy_compression_methods<1..2^8-1>`. */
  legacyCompressionMethods: number[];
  /** In wire order, bodies raw. */
  extensions: Extension[];
  /** The message ended after the compression methods (RFC 5246 §7.4.1.2 allows it; TLS 1.3 does not). */
  noExtensionsBlock?: boolean;
}

export interface ParsedClientHello extends ClientHello {
  /** The full message (header + body) as received: the transcript input. */
  raw: Uint8Array;
  /**
   * Offset in `raw` of the pre_shared_key binders list (its 2-byte length): the binder MAC covers
   * `raw.subarray(0, pskBindersOffset)` (RFC 8446 §4.2.11.2). Undefined without pre_shared_key.
   */
  pskBindersOffset: number | undefined;
}

/**
 * Parses a ClientHello body. `raw` (the full message) defaults to the body re-framed with its header.
 * RFC 8446 §4.2.11: pre_shared_key "MUST be the last extension in the ClientHello" → illegal_parameter.
 */
export function parseClientHello(
  body: Uint8Array,
  raw: Uint8Array = encodeHandshake(HandshakeType.client_hello, body),
  deviations?: DeviationCollector,
): ParsedClientHello {
  return parseBody(
    body,
    'ClientHello',
    (r) => {
      const legacyVersion = r.u16('ClientHello legacy_version');
      const random = r.bytes(RANDOM_LENGTH, 'ClientHello random');
      const legacySessionId = r.vec8('ClientHello legacy_session_id', 0, 32);
      const cipherSuites = r.u16List('ClientHello cipher_suites', 2, 0xfffe);
      const legacyCompressionMethods = r.u8List('ClientHello legacy_compression_methods', 1, 255);
      const noExtensionsBlock = r.done;
      const extensions = noExtensionsBlock ? [] : readExtensions(r, 'ClientHello');
      let pskBindersOffset: number | undefined;
      const psk = findExtension(extensions, ExtensionType.pre_shared_key);
      if (psk !== undefined) {
        if (extensions[extensions.length - 1] !== psk) {
          deviate(
            deviations,
            'RFC 8446 §4.2.11',
            new IllegalParameterError('ClientHello: pre_shared_key is not the last extension', 'BAD_EXTENSION'),
          );
        }
        // Identities block length, then the binders list.
        const identitiesLength = psk.body.length >= 2 ? (psk.body[0]! << 8) | psk.body[1]! : 0;
        pskBindersOffset = 4 + psk.body.byteOffset - body.byteOffset + 2 + identitiesLength;
      }
      const hello: ParsedClientHello = {
        legacyVersion,
        random,
        legacySessionId,
        cipherSuites,
        legacyCompressionMethods,
        extensions,
        raw,
        pskBindersOffset,
      };
      if (noExtensionsBlock) hello.noExtensionsBlock = true;
      return hello;
    },
    deviations,
  );
}

export function encodeClientHello(hello: ClientHello): Uint8Array {
  if (hello.noExtensionsBlock && hello.extensions.length > 0) {
    throw new EncodeError('ClientHello: noExtensionsBlock with extensions');
  }
  return buildHandshake(
    HandshakeType.client_hello,
    (w) => {
      w.u16(hello.legacyVersion);
      writeRandom(w, hello.random, 'ClientHello');
      w.vec8(hello.legacySessionId).u16List(hello.cipherSuites).u8List(hello.legacyCompressionMethods);
      if (!hello.noExtensionsBlock) writeExtensions(w, hello.extensions);
    },
    512,
  );
}

/**
 * The offset in an encoded ClientHello (header included) of the pre_shared_key binders list, or
 * undefined: encode with placeholder binders of the right lengths, hash `message.subarray(0, offset)`,
 * then {@link replacePskBinders}.
 */
export function pskBindersOffset(clientHelloMessage: Uint8Array): number | undefined {
  const { body, raw } = splitHandshake(clientHelloMessage);
  return parseClientHello(body, raw).pskBindersOffset;
}

/**
 * Overwrites, in place, the binders of an encoded ClientHello (RFC 8446 §4.2.11.2). The new binders must
 * have exactly the lengths of the placeholders.
 */
export function replacePskBinders(
  clientHelloMessage: Uint8Array,
  bindersOffset: number,
  binders: readonly Uint8Array[],
): void {
  const r = new Reader(clientHelloMessage, bindersOffset);
  const list = r.block16('psk binders');
  let at = bindersOffset + 2;
  for (const binder of binders) {
    const old = list.vec8('psk binder');
    if (old.length !== binder.length)
      throw new EncodeError(`psk binder of ${binder.length} bytes replaces ${old.length}`);
    clientHelloMessage.set(binder, at + 1);
    at += 1 + binder.length;
  }
  if (!list.done) throw new EncodeError('fewer binders than placeholders');
}

// --- ServerHello / HelloRetryRequest (RFC 8446 §4.1.3, §4.1.4) -----------------------------------

/**
 * RFC 8446 §4.1.3: a HelloRetryRequest is a ServerHello whose random is SHA-256("HelloRetryRequest").
 */
export const HELLO_RETRY_REQUEST_RANDOM: Uint8Array = Uint8Array.from([
  0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11,
  0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
]);

/** RFC 8446 §4.1.3 downgrade sentinels: the last 8 bytes of ServerHello.random. */
export const DOWNGRADE_TLS12_SENTINEL: Uint8Array = Uint8Array.from([0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01]);
export const DOWNGRADE_TLS11_SENTINEL: Uint8Array = Uint8Array.from([0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x00]);

/**
 * Which downgrade sentinel (RFC 8446 §4.1.3) ends a ServerHello.random: `'tls12'` when a TLS 1.3 server
 * negotiated TLS 1.2, `'tls11'` for TLS 1.1 or below, undefined otherwise. A TLS 1.3 client that sees
 * one while negotiating a lower version "MUST abort the handshake with an "illegal_parameter" alert".
 */
export function downgradeSentinel(random: Uint8Array): 'tls12' | 'tls11' | undefined {
  if (random.length !== RANDOM_LENGTH) return undefined;
  for (let i = 0; i < 7; i++) if (random[24 + i] !== DOWNGRADE_TLS12_SENTINEL[i]) return undefined;
  const last = random[31];
  return last === 1 ? 'tls12' : last === 0 ? 'tls11' : undefined;
}

function isHelloRetryRandom(random: Uint8Array): boolean {
  for (let i = 0; i < RANDOM_LENGTH; i++) if (random[i] !== HELLO_RETRY_REQUEST_RANDOM[i]) return false;
  return true;
}

interface ServerHelloFields {
  legacyVersion: number;
  /** `opaque legacy_session_id_echo<0..32>`. */
  legacySessionIdEcho: Uint8Array;
  cipherSuite: number;
  legacyCompressionMethod: number;
  extensions: Extension[];
}

export interface ServerHello extends ServerHelloFields {
  kind: 'server_hello';
  random: Uint8Array;
  /** The message ended after the compression method (TLS 1.2 without extensions). */
  noExtensionsBlock?: boolean;
}

/** RFC 8446 §4.1.4: a ServerHello carrying {@link HELLO_RETRY_REQUEST_RANDOM}. */
export interface HelloRetryRequest extends ServerHelloFields {
  kind: 'hello_retry_request';
}

export function parseServerHello(body: Uint8Array, deviations?: DeviationCollector): ServerHello | HelloRetryRequest {
  return parseBody(
    body,
    'ServerHello',
    (r) => {
      const legacyVersion = r.u16('ServerHello legacy_version');
      const random = r.bytes(RANDOM_LENGTH, 'ServerHello random');
      const legacySessionIdEcho = r.vec8('ServerHello legacy_session_id_echo', 0, 32);
      const cipherSuite = r.u16('ServerHello cipher_suite');
      const legacyCompressionMethod = r.u8('ServerHello legacy_compression_method');
      const fields = { legacyVersion, legacySessionIdEcho, cipherSuite, legacyCompressionMethod };
      if (isHelloRetryRandom(random)) {
        return { kind: 'hello_retry_request', ...fields, extensions: readExtensions(r, 'HelloRetryRequest') };
      }
      if (r.done) return { kind: 'server_hello', random, ...fields, extensions: [], noExtensionsBlock: true };
      return { kind: 'server_hello', random, ...fields, extensions: readExtensions(r, 'ServerHello') };
    },
    deviations,
  );
}

export function encodeServerHello(hello: ServerHello | HelloRetryRequest): Uint8Array {
  const omitExtensions = hello.kind === 'server_hello' && hello.noExtensionsBlock === true;
  if (omitExtensions && hello.extensions.length > 0)
    throw new EncodeError('ServerHello: noExtensionsBlock with extensions');
  return buildHandshake(HandshakeType.server_hello, (w) => {
    w.u16(hello.legacyVersion);
    writeRandom(w, hello.kind === 'server_hello' ? hello.random : HELLO_RETRY_REQUEST_RANDOM, 'ServerHello');
    w.vec8(hello.legacySessionIdEcho).u16(hello.cipherSuite).u8(hello.legacyCompressionMethod);
    if (!omitExtensions) writeExtensions(w, hello.extensions);
  });
}

// --- EncryptedExtensions (RFC 8446 §4.3.1) -------------------------------------------------------

export interface EncryptedExtensions {
  extensions: Extension[];
}

export function parseEncryptedExtensions(body: Uint8Array): EncryptedExtensions {
  return parseBody(body, 'EncryptedExtensions', (r) => ({ extensions: readExtensions(r, 'EncryptedExtensions') }));
}

export function encodeEncryptedExtensions(msg: EncryptedExtensions): Uint8Array {
  return buildHandshake(HandshakeType.encrypted_extensions, (w) => writeExtensions(w, msg.extensions));
}

// --- Certificate (RFC 8446 §4.4.2, RFC 5246 §7.4.2) ----------------------------------------------

export interface CertificateEntry {
  /** `opaque cert_data<1..2^24-1>`: DER X.509 (or a raw public key, RFC 7250). */
  certData: Uint8Array;
  /** Per-entry extensions (status_request, signed_certificate_timestamp). */
  extensions: Extension[];
}

export interface CertificateTls13 {
  /** `opaque certificate_request_context<0..2^8-1>`. */
  certificateRequestContext: Uint8Array;
  certificateList: CertificateEntry[];
}

export function parseCertificateTls13(body: Uint8Array): CertificateTls13 {
  return parseBody(body, 'Certificate', (r) => {
    const certificateRequestContext = r.vec8('certificate_request_context');
    const list = r.block24('certificate_list');
    const certificateList: CertificateEntry[] = [];
    while (!list.done) {
      const certData = list.vec24('cert_data', 1);
      certificateList.push({ certData, extensions: readExtensions(list, 'CertificateEntry') });
    }
    return { certificateRequestContext, certificateList };
  });
}

export function encodeCertificateTls13(msg: CertificateTls13): Uint8Array {
  const size = msg.certificateList.reduce((n, e) => n + e.certData.length + 16, 16);
  return buildHandshake(
    HandshakeType.certificate,
    (w) => {
      w.vec8(msg.certificateRequestContext).vec24((w) => {
        for (const e of msg.certificateList) {
          w.vec24(e.certData);
          writeExtensions(w, e.extensions);
        }
      });
    },
    size,
  );
}

export interface CertificateTls12 {
  /** `ASN.1Cert certificate_list<0..2^24-1>`, each `opaque ASN.1Cert<1..2^24-1>`. */
  certificateList: Uint8Array[];
}

export function parseCertificateTls12(body: Uint8Array): CertificateTls12 {
  return parseBody(body, 'Certificate', (r) => {
    const list = r.block24('certificate_list');
    const certificateList: Uint8Array[] = [];
    while (!list.done) certificateList.push(list.vec24('ASN.1Cert', 1));
    return { certificateList };
  });
}

export function encodeCertificateTls12(msg: CertificateTls12): Uint8Array {
  const size = msg.certificateList.reduce((n, c) => n + c.length + 3, 16);
  return buildHandshake(
    HandshakeType.certificate,
    (w) =>
      w.vec24((w) => {
        for (const c of msg.certificateList) w.vec24(c);
      }),
    size,
  );
}

// --- CertificateRequest (RFC 8446 §4.3.2, RFC 5246 §7.4.4) ---------------------------------------

export interface CertificateRequestTls13 {
  certificateRequestContext: Uint8Array;
  extensions: Extension[];
}

/**
 * `opaque certificate_request_context<0..2^8-1>; Extension extensions<2..2^16-1>`. §4.3.2: "The
 * "signature_algorithms" extension MUST be specified" → missing_extension.
 */
export function parseCertificateRequestTls13(body: Uint8Array): CertificateRequestTls13 {
  return parseBody(body, 'CertificateRequest', (r) => {
    const certificateRequestContext = r.vec8('certificate_request_context');
    const extensions = readExtensions(r, 'CertificateRequest', 2);
    if (findExtension(extensions, ExtensionType.signature_algorithms) === undefined) {
      throw new CodecError(
        'CertificateRequest without signature_algorithms',
        'MISSING_SIGALGS_EXTENSION',
        CodecAlert.missing_extension,
      );
    }
    return { certificateRequestContext, extensions };
  });
}

export function encodeCertificateRequestTls13(msg: CertificateRequestTls13): Uint8Array {
  return buildHandshake(HandshakeType.certificate_request, (w) => {
    w.vec8(msg.certificateRequestContext);
    writeExtensions(w, msg.extensions);
  });
}

export interface CertificateRequestTls12 {
  /** `ClientCertificateType certificate_types<1..2^8-1>`. */
  certificateTypes: number[];
  /** `SignatureAndHashAlgorithm supported_signature_algorithms<2..2^16-2>`. */
  supportedSignatureAlgorithms: number[];
  /** `DistinguishedName certificate_authorities<0..2^16-1>`, each `<1..2^16-1>`. */
  certificateAuthorities: Uint8Array[];
}

export function parseCertificateRequestTls12(body: Uint8Array): CertificateRequestTls12 {
  return parseBody(body, 'CertificateRequest', (r) => {
    const certificateTypes = r.u8List('certificate_types', 1, 255);
    const supportedSignatureAlgorithms = r.u16List('supported_signature_algorithms', 2, 0xfffe);
    const list = r.block16('certificate_authorities');
    const certificateAuthorities: Uint8Array[] = [];
    while (!list.done) certificateAuthorities.push(list.vec16('DistinguishedName', 1));
    return { certificateTypes, supportedSignatureAlgorithms, certificateAuthorities };
  });
}

export function encodeCertificateRequestTls12(msg: CertificateRequestTls12): Uint8Array {
  return buildHandshake(HandshakeType.certificate_request, (w) => {
    w.u8List(msg.certificateTypes).u16List(msg.supportedSignatureAlgorithms);
    w.vec16((w) => {
      for (const dn of msg.certificateAuthorities) w.vec16(dn);
    });
  });
}

// --- CertificateVerify (RFC 8446 §4.4.3) / digitally-signed (RFC 5246 §4.7) ----------------------

export interface DigitallySigned {
  /** SignatureScheme (TLS 1.3) / SignatureAndHashAlgorithm (TLS 1.2): same code space. */
  algorithm: number;
  /** `opaque signature<0..2^16-1>`. */
  signature: Uint8Array;
}

export type CertificateVerify = DigitallySigned;

function readDigitallySigned(r: Reader, what: string): DigitallySigned {
  const algorithm = r.u16(`${what} algorithm`);
  return { algorithm, signature: r.vec16(`${what} signature`) };
}

export function parseCertificateVerify(body: Uint8Array): CertificateVerify {
  return parseBody(body, 'CertificateVerify', (r) => readDigitallySigned(r, 'CertificateVerify'));
}

export function encodeCertificateVerify(msg: CertificateVerify): Uint8Array {
  return buildHandshake(HandshakeType.certificate_verify, (w) => w.u16(msg.algorithm).vec16(msg.signature));
}

// --- Finished (RFC 8446 §4.4.4, RFC 5246 §7.4.9) -------------------------------------------------

export interface Finished {
  verifyData: Uint8Array;
}

/**
 * `opaque verify_data[Hash.length]` (TLS 1.3) / `[12]` (TLS 1.2): the length is fixed by the cipher
 * suite, so pass it to reject a wrong-length message as decode_error.
 */
export function parseFinished(body: Uint8Array, expectedLength?: number): Finished {
  if (expectedLength !== undefined && body.length !== expectedLength) {
    throw new DecodeError(`Finished of ${body.length} bytes (expected ${expectedLength})`, 'BAD_LENGTH');
  }
  return { verifyData: body };
}

export function encodeFinished(msg: Finished): Uint8Array {
  return encodeHandshake(HandshakeType.finished, msg.verifyData);
}

// --- NewSessionTicket (RFC 8446 §4.6.1, RFC 5077 §3.3) -------------------------------------------

export interface NewSessionTicketTls13 {
  /** Seconds; §4.6.1: servers MUST NOT use a value above 604800 (checked by the engine). */
  ticketLifetime: number;
  ticketAgeAdd: number;
  /** `opaque ticket_nonce<0..255>`. */
  ticketNonce: Uint8Array;
  /** `opaque ticket<1..2^16-1>`. */
  ticket: Uint8Array;
  /** `Extension extensions<0..2^16-2>`. */
  extensions: Extension[];
}

export function parseNewSessionTicketTls13(body: Uint8Array): NewSessionTicketTls13 {
  return parseBody(body, 'NewSessionTicket', (r) => {
    const ticketLifetime = r.u32('ticket_lifetime');
    const ticketAgeAdd = r.u32('ticket_age_add');
    const ticketNonce = r.vec8('ticket_nonce');
    const ticket = r.vec16('ticket', 1);
    return {
      ticketLifetime,
      ticketAgeAdd,
      ticketNonce,
      ticket,
      extensions: readExtensions(r, 'NewSessionTicket', 0, 0xfffe),
    };
  });
}

export function encodeNewSessionTicketTls13(msg: NewSessionTicketTls13): Uint8Array {
  return buildHandshake(HandshakeType.new_session_ticket, (w) => {
    w.u32(msg.ticketLifetime).u32(msg.ticketAgeAdd).vec8(msg.ticketNonce).vec16(msg.ticket);
    writeExtensions(w, msg.extensions);
  });
}

export interface NewSessionTicketTls12 {
  ticketLifetimeHint: number;
  /** `opaque ticket<0..2^16-1>` (empty: the server will not issue a ticket after all, RFC 5077 §3.3). */
  ticket: Uint8Array;
}

export function parseNewSessionTicketTls12(body: Uint8Array): NewSessionTicketTls12 {
  return parseBody(body, 'NewSessionTicket', (r) => {
    const ticketLifetimeHint = r.u32('ticket_lifetime_hint');
    return { ticketLifetimeHint, ticket: r.vec16('ticket') };
  });
}

export function encodeNewSessionTicketTls12(msg: NewSessionTicketTls12): Uint8Array {
  return buildHandshake(HandshakeType.new_session_ticket, (w) => w.u32(msg.ticketLifetimeHint).vec16(msg.ticket));
}

// --- empty messages ------------------------------------------------------------------------------

/**
 * EndOfEarlyData (RFC 8446 §4.5), ServerHelloDone (RFC 5246 §7.4.5), HelloRequest (RFC 5246 §7.4.1.1):
 * empty bodies; anything else is decode_error.
 */
export function parseEmptyMessage(body: Uint8Array, type: number): void {
  if (body.length !== 0) {
    throw new DecodeError(`${HandshakeType.nameOf(type)} must be empty, got ${body.length} bytes`, 'LENGTH_MISMATCH');
  }
}

export function encodeEmptyMessage(type: number): Uint8Array {
  return Uint8Array.of(type, 0, 0, 0);
}

export const encodeEndOfEarlyData = (): Uint8Array => encodeEmptyMessage(HandshakeType.end_of_early_data);
export const encodeServerHelloDone = (): Uint8Array => encodeEmptyMessage(HandshakeType.server_hello_done);
export const encodeHelloRequest = (): Uint8Array => encodeEmptyMessage(HandshakeType.hello_request);

// --- KeyUpdate (RFC 8446 §4.6.3) -----------------------------------------------------------------

export interface KeyUpdate {
  /** KeyUpdateRequest: 0 update_not_requested, 1 update_requested. */
  requestUpdate: number;
}

/** §4.6.3: "If an implementation receives any other value, it MUST terminate the connection with an "illegal_parameter" alert." */
export function parseKeyUpdate(body: Uint8Array): KeyUpdate {
  const requestUpdate = parseBody(body, 'KeyUpdate', (r) => r.u8('request_update'));
  if (requestUpdate > 1) throw new IllegalParameterError(`KeyUpdate request_update ${requestUpdate}`, 'BAD_KEY_UPDATE');
  return { requestUpdate };
}

export function encodeKeyUpdate(msg: KeyUpdate): Uint8Array {
  return Uint8Array.of(HandshakeType.key_update, 0, 0, 1, msg.requestUpdate);
}

// --- ServerKeyExchange / ClientKeyExchange (RFC 5246 §7.4.3, §7.4.7; RFC 8422 §5.4, §5.7) --------

/** The key exchange of a TLS 1.2 cipher suite, which decides the shape of the key exchange messages. */
export type KeyExchangeKind = 'ecdhe' | 'dhe';

export interface ServerKeyExchangeEcdhe {
  kind: 'ecdhe';
  /** NamedCurve of `ECParameters { curve_type = named_curve; namedcurve }`. */
  namedCurve: number;
  /** `opaque point<1..2^8-1>`. */
  publicPoint: Uint8Array;
  signature: DigitallySigned;
}

export interface ServerKeyExchangeDhe {
  kind: 'dhe';
  /** `ServerDHParams { opaque dh_p<1..2^16-1>; opaque dh_g<1..2^16-1>; opaque dh_Ys<1..2^16-1> }`. */
  p: Uint8Array;
  g: Uint8Array;
  ys: Uint8Array;
  signature: DigitallySigned;
}

export type ServerKeyExchange = ServerKeyExchangeEcdhe | ServerKeyExchangeDhe;

/** A parsed ServerKeyExchange with `params`: the signed bytes (RFC 5246 §7.4.3 `params`), a view. */
export type ParsedServerKeyExchange = ServerKeyExchange & { params: Uint8Array };

/** ECCurveType named_curve (RFC 8422 §5.4: explicit curves are deprecated and not supported). */
const NAMED_CURVE = 3;

export function parseServerKeyExchange(body: Uint8Array, kind: KeyExchangeKind): ParsedServerKeyExchange {
  return parseBody(body, 'ServerKeyExchange', (r) => {
    if (kind === 'ecdhe') {
      const curveType = r.u8('ECParameters curve_type');
      if (curveType !== NAMED_CURVE) {
        throw new IllegalParameterError(`ServerKeyExchange curve_type ${curveType} (only named_curve)`, 'WRONG_CURVE');
      }
      const namedCurve = r.u16('ECParameters namedcurve');
      const publicPoint = r.vec8('ECPoint', 1);
      const params = body.subarray(0, r.offset);
      return { kind, namedCurve, publicPoint, params, signature: readDigitallySigned(r, 'ServerKeyExchange') };
    }
    const p = r.vec16('dh_p', 1);
    const g = r.vec16('dh_g', 1);
    const ys = r.vec16('dh_Ys', 1);
    const params = body.subarray(0, r.offset);
    return { kind, p, g, ys, params, signature: readDigitallySigned(r, 'ServerKeyExchange') };
  });
}

/** The signed `params` of a ServerKeyExchange (what the server signs after client_random + server_random). */
export function encodeServerKeyExchangeParams(msg: ServerKeyExchange): Uint8Array {
  const w = new Writer(msg.kind === 'ecdhe' ? 4 + msg.publicPoint.length : 6 + msg.p.length * 2 + msg.g.length);
  if (msg.kind === 'ecdhe') w.u8(NAMED_CURVE).u16(msg.namedCurve).vec8(msg.publicPoint);
  else w.vec16(msg.p).vec16(msg.g).vec16(msg.ys);
  return w.finish();
}

export function encodeServerKeyExchange(msg: ServerKeyExchange): Uint8Array {
  const params = encodeServerKeyExchangeParams(msg);
  return buildHandshake(
    HandshakeType.server_key_exchange,
    (w) => w.bytes(params).u16(msg.signature.algorithm).vec16(msg.signature.signature),
    params.length + msg.signature.signature.length + 8,
  );
}

/**
 * ClientKeyExchange: ECDHE `opaque point<1..2^8-1>` (RFC 8422 §5.7) or DHE `opaque dh_Yc<1..2^16-1>`
 * (RFC 5246 §7.4.7.2). Returns the client's public value.
 */
export function parseClientKeyExchange(body: Uint8Array, kind: KeyExchangeKind): Uint8Array {
  return parseBody(body, 'ClientKeyExchange', (r) => (kind === 'ecdhe' ? r.vec8('ECPoint', 1) : r.vec16('dh_Yc', 1)));
}

export function encodeClientKeyExchange(kind: KeyExchangeKind, publicValue: Uint8Array): Uint8Array {
  if (publicValue.length === 0) throw new EncodeError('ClientKeyExchange: empty public value');
  return buildHandshake(
    HandshakeType.client_key_exchange,
    (w) => (kind === 'ecdhe' ? w.vec8(publicValue) : w.vec16(publicValue)),
    publicValue.length + 8,
  );
}

// --- CertificateStatus (RFC 6066 §8; RFC 8446 §4.4.2.1 inside CertificateEntry) ------------------

export interface CertificateStatus {
  /** CertificateStatusType: ocsp (1); ocsp_multi (2, RFC 6961) keeps its list opaque. */
  statusType: number;
  /** `opaque OCSPResponse<1..2^24-1>` (for ocsp_multi: the raw `ocsp_response_list` body). */
  response: Uint8Array;
}

/** The body of a CertificateStatus message, also the status_request extension of a TLS 1.3 CertificateEntry. */
export function parseCertificateStatus(body: Uint8Array): CertificateStatus {
  return parseBody(body, 'CertificateStatus', (r) => {
    const statusType = r.u8('status_type');
    return { statusType, response: r.vec24('OCSPResponse', 1) };
  });
}

/** CertificateStatus body (for the CertificateEntry status_request extension). */
export function encodeCertificateStatusBody(msg: CertificateStatus): Uint8Array {
  const w = new Writer(msg.response.length + 4);
  w.u8(msg.statusType).vec24(msg.response);
  return w.finish();
}

export function encodeCertificateStatus(msg: CertificateStatus): Uint8Array {
  return encodeHandshake(HandshakeType.certificate_status, encodeCertificateStatusBody(msg));
}

// --- message_hash (RFC 8446 §4.4.1) --------------------------------------------------------------

/**
 * The synthetic `message_hash` message that replaces ClientHello1 in the transcript after a
 * HelloRetryRequest: `Handshake(message_hash, 00 00 Hash.length, Hash(ClientHello1))` (RFC 8446 §4.4.1).
 */
export function encodeMessageHash(clientHello1Hash: Uint8Array): Uint8Array {
  return encodeHandshake(HandshakeType.message_hash, clientHello1Hash);
}
