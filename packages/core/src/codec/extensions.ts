/**
 * Extensions (RFC 8446 §4.2 and the RFCs it cites). Extension blocks are parsed into an ordered list of
 * `{ type, body }` with raw bodies, so unknown and GREASE extensions and the sender's order survive a
 * round trip; typed `parse…`/`encode…` pairs decode the bodies the engine understands.
 *
 * Messages whose extension body differs by message carry the context in the function name
 * (`parseKeyShareClientHello` vs `parseKeyShareServerHello`). {@link extensionAllowed} is the table of
 * RFC 8446 §4.2 telling which message may carry which extension.
 * @module
 */

import { type DeviationCollector, deviate } from './deviations.js';
import { ExtensionType } from './enums.js';
import { CodecAlert, CodecError, DecodeError, IllegalParameterError } from './errors.js';
import { Reader } from './reader.js';
import { Writer } from './writer.js';

/** One extension as it appears on the wire; `body` is a view of the message. */
export interface Extension {
  type: number;
  body: Uint8Array;
}

/** The messages of RFC 8446 §4.2's table: CH, SH, HRR, EE, CT (CertificateEntry), CR, NST. */
export type ExtensionContext = 'CH' | 'SH' | 'HRR' | 'EE' | 'CT' | 'CR' | 'NST';

/**
 * Reads `Extension extensions<min..max>` (RFC 8446 §4.2). Duplicate types → illegal_parameter:
 * "There MUST NOT be more than one extension of the same type in a given extension block."
 */
export function readExtensions(r: Reader, what: string, min = 0, max = 0xffff): Extension[] {
  const block = r.block16(`${what} extensions`, min, max);
  const out: Extension[] = [];
  let seen: Set<number> | undefined;
  while (!block.done) {
    const type = block.u16(`${what} extension type`);
    const body = block.vec16(`${what} extension ${ExtensionType.nameOf(type)}`);
    if (out.length > 0) {
      seen ??= new Set(out.map((e) => e.type));
      if (seen.has(type)) {
        // Lenient mode (the reader's collector) keeps both copies, in wire order.
        deviate(
          r.deviations,
          'RFC 8446 §4.2',
          new IllegalParameterError(`${what}: duplicate extension ${ExtensionType.nameOf(type)}`, 'BAD_EXTENSION'),
        );
      }
      seen.add(type);
    }
    out.push({ type, body });
  }
  return out;
}

/** Writes an extension block in the given order. */
export function writeExtensions(w: Writer, extensions: readonly Extension[]): void {
  w.vec16((w) => {
    for (const e of extensions) w.u16(e.type).vec16(e.body);
  });
}

/** The extension of `type` in a block, if present. */
export function findExtension(extensions: readonly Extension[], type: number): Extension | undefined {
  for (const e of extensions) if (e.type === type) return e;
  return undefined;
}

/** Parses `body` with `parse` and requires its exact consumption. */
function parseWith<T>(body: Uint8Array, what: string, parse: (r: Reader) => T, deviations?: DeviationCollector): T {
  const r = new Reader(body, 0, body.length, deviations);
  const value = parse(r);
  r.expectEnd(what);
  return value;
}

function encodeWith(write: (w: Writer) => void, capacity = 64): Uint8Array {
  const w = new Writer(capacity);
  write(w);
  return w.finish();
}

/** Extensions whose body is empty in every use (or in the given message). */
export function parseEmptyExtension(body: Uint8Array, what: string): void {
  if (body.length !== 0)
    throw new DecodeError(`${what} extension must be empty, got ${body.length} bytes`, 'BAD_EXTENSION');
}

export const EMPTY_EXTENSION_BODY: Uint8Array = new Uint8Array(0);

// --- server_name (RFC 6066 §3) -------------------------------------------------------------------

export interface ServerName {
  /** NameType; 0 = host_name. */
  nameType: number;
  name: Uint8Array;
}

/**
 * ClientHello server_name: `ServerName server_name_list<1..2^16-1>`. RFC 6066 §3: "The ServerNameList
 * MUST NOT contain more than one name of the same name_type" → illegal_parameter. The HostName syntax is
 * checked by {@link serverNameHost}. (In SH/EE the extension is empty: {@link parseEmptyExtension}.)
 */
export function parseServerName(body: Uint8Array, deviations?: DeviationCollector): ServerName[] {
  return parseWith(
    body,
    'server_name',
    (r) => {
      const list = r.block16('server_name list', 1);
      const out: ServerName[] = [];
      while (!list.done) {
        const nameType = list.u8('server_name type');
        // RFC 6066 §3: HostName<1..2^16-1>; unknown name types share the same opaque<1..2^16-1> shape.
        const name = list.vec16('server_name', 1);
        if (out.some((n) => n.nameType === nameType)) {
          deviate(
            deviations,
            'RFC 6066 §3',
            new IllegalParameterError(`server_name: two names of type ${nameType}`, 'BAD_EXTENSION'),
          );
        }
        out.push({ nameType, name });
      }
      return out;
    },
    deviations,
  );
}

export function encodeServerName(names: readonly ServerName[]): Uint8Array {
  return encodeWith((w) =>
    w.vec16((w) => {
      for (const n of names) w.u8(n.nameType).vec16(n.name);
    }),
  );
}

/** server_name body for one host name. */
export function encodeServerNameHost(host: string): Uint8Array {
  return encodeServerName([{ nameType: 0, name: asciiBytes(host, 'server_name') }]);
}

/**
 * The host_name of a parsed list, or undefined. RFC 6066 §3: "HostName contains the fully qualified DNS
 * hostname of the server, as understood by the client ... represented as a byte string using ASCII
 * encoding without a trailing dot"; at most 255 bytes (RFC 1035 §2.3.4). Violations → decode_error,
 * as Go's crypto/tls does (OpenSSL sends unrecognized_name for a NUL byte; we treat every malformed
 * HostName alike). "Literal IPv4 and IPv6 addresses are not permitted in HostName" either; that check
 * is left to the caller, which may prefer to ignore such a name.
 */
export function serverNameHost(names: readonly ServerName[]): string | undefined {
  const entry = names.find((n) => n.nameType === 0);
  if (entry === undefined) return undefined;
  const bytes = entry.name;
  if (bytes.length > 255) throw new DecodeError(`server_name host_name of ${bytes.length} bytes`, 'BAD_EXTENSION');
  let host = '';
  for (const b of bytes) {
    if (b <= 0x20 || b >= 0x7f) throw new DecodeError('server_name host_name is not printable ASCII', 'BAD_EXTENSION');
    host += String.fromCharCode(b);
  }
  if (host.endsWith('.')) throw new DecodeError('server_name host_name has a trailing dot', 'BAD_EXTENSION');
  return host;
}

function asciiBytes(text: string, what: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) throw new CodecError(`${what}: non-ASCII text`, 'BAD_VALUE', CodecAlert.internal_error);
    out[i] = c;
  }
  return out;
}

// --- lists of uint16 codes -----------------------------------------------------------------------

/** RFC 8446 §4.2.7: `NamedGroup named_group_list<2..2^16-1>`. */
export function parseSupportedGroups(body: Uint8Array, deviations?: DeviationCollector): number[] {
  return parseWith(body, 'supported_groups', (r) => r.u16List('supported_groups', 2, 0xffff), deviations);
}

export function encodeSupportedGroups(groups: readonly number[]): Uint8Array {
  return encodeWith((w) => w.u16List(groups));
}

/** RFC 8446 §4.2.3: `SignatureScheme supported_signature_algorithms<2..2^16-2>` (also signature_algorithms_cert). */
export function parseSignatureAlgorithms(body: Uint8Array, deviations?: DeviationCollector): number[] {
  return parseWith(body, 'signature_algorithms', (r) => r.u16List('signature_algorithms', 2, 0xfffe), deviations);
}

export function encodeSignatureAlgorithms(schemes: readonly number[]): Uint8Array {
  return encodeWith((w) => w.u16List(schemes));
}

// --- supported_versions (RFC 8446 §4.2.1) --------------------------------------------------------

/** ClientHello: `ProtocolVersion versions<2..254>`. */
export function parseSupportedVersionsClientHello(body: Uint8Array, deviations?: DeviationCollector): number[] {
  return parseWith(
    body,
    'supported_versions',
    (r) => {
      const list = r.vec8('supported_versions', 2, 254);
      if (list.length & 1) throw new DecodeError('supported_versions: odd length', 'BAD_LENGTH');
      const out: number[] = [];
      for (let i = 0; i < list.length; i += 2) out.push((list[i]! << 8) | list[i + 1]!);
      return out;
    },
    deviations,
  );
}

export function encodeSupportedVersionsClientHello(versions: readonly number[]): Uint8Array {
  return encodeWith((w) =>
    w.vec8((w) => {
      for (const v of versions) w.u16(v);
    }),
  );
}

/** ServerHello / HelloRetryRequest: `ProtocolVersion selected_version`. */
export function parseSupportedVersionsServerHello(body: Uint8Array): number {
  return parseWith(body, 'supported_versions', (r) => r.u16('selected_version'));
}

export function encodeSupportedVersionsServerHello(version: number): Uint8Array {
  return encodeWith((w) => w.u16(version), 2);
}

// --- key_share (RFC 8446 §4.2.8) -----------------------------------------------------------------

export interface KeyShareEntry {
  group: number;
  keyExchange: Uint8Array;
}

function readKeyShareEntry(r: Reader): KeyShareEntry {
  const group = r.u16('key_share group');
  return { group, keyExchange: r.vec16('key_exchange', 1) };
}

/**
 * ClientHello: `KeyShareEntry client_shares<0..2^16-1>`. §4.2.8: "Clients MUST NOT offer multiple
 * KeyShareEntry values for the same group ... Servers MAY check for violations of these rules and abort
 * the handshake with an "illegal_parameter" alert" — we do.
 */
export function parseKeyShareClientHello(body: Uint8Array, deviations?: DeviationCollector): KeyShareEntry[] {
  return parseWith(
    body,
    'key_share',
    (r) => {
      const list = r.block16('client_shares');
      const out: KeyShareEntry[] = [];
      while (!list.done) {
        const entry = readKeyShareEntry(list);
        if (out.some((e) => e.group === entry.group)) {
          deviate(
            deviations,
            'RFC 8446 §4.2.8',
            new IllegalParameterError(`key_share: two shares for group ${entry.group}`, 'BAD_KEY_SHARE'),
          );
        }
        out.push(entry);
      }
      return out;
    },
    deviations,
  );
}

export function encodeKeyShareClientHello(shares: readonly KeyShareEntry[]): Uint8Array {
  return encodeWith(
    (w) =>
      w.vec16((w) => {
        for (const s of shares) w.u16(s.group).vec16(s.keyExchange);
      }),
    shares.reduce((n, s) => n + 4 + s.keyExchange.length, 2),
  );
}

/** ServerHello: `KeyShareEntry server_share`. */
export function parseKeyShareServerHello(body: Uint8Array): KeyShareEntry {
  return parseWith(body, 'key_share', readKeyShareEntry);
}

export function encodeKeyShareServerHello(share: KeyShareEntry): Uint8Array {
  return encodeWith((w) => w.u16(share.group).vec16(share.keyExchange), 4 + share.keyExchange.length);
}

/** HelloRetryRequest: `NamedGroup selected_group`. */
export function parseKeyShareHelloRetryRequest(body: Uint8Array): number {
  return parseWith(body, 'key_share', (r) => r.u16('selected_group'));
}

export function encodeKeyShareHelloRetryRequest(group: number): Uint8Array {
  return encodeWith((w) => w.u16(group), 2);
}

// --- psk_key_exchange_modes (RFC 8446 §4.2.9) ----------------------------------------------------

/** `PskKeyExchangeMode ke_modes<1..255>`. */
export function parsePskKeyExchangeModes(body: Uint8Array): number[] {
  return parseWith(body, 'psk_key_exchange_modes', (r) => r.u8List('psk_key_exchange_modes', 1, 255));
}

export function encodePskKeyExchangeModes(modes: readonly number[]): Uint8Array {
  return encodeWith((w) => w.u8List(modes));
}

// --- pre_shared_key (RFC 8446 §4.2.11) -----------------------------------------------------------

export interface PskIdentity {
  identity: Uint8Array;
  obfuscatedTicketAge: number;
}

export interface OfferedPsks {
  identities: PskIdentity[];
  binders: Uint8Array[];
  /** Offset of the binders list (its 2-byte length) within the extension body. */
  bindersOffset: number;
}

/**
 * ClientHello: `PskIdentity identities<7..2^16-1>; PskBinderEntry binders<33..2^16-1>` with
 * `opaque identity<1..2^16-1>` and `opaque PskBinderEntry<32..255>`. One binder per identity
 * (§4.2.11: the binders "correspond one to one"); a mismatch is illegal_parameter.
 */
export function parsePreSharedKeyClientHello(body: Uint8Array): OfferedPsks {
  return parseWith(body, 'pre_shared_key', (r) => {
    const ids = r.block16('psk identities', 7);
    const identities: PskIdentity[] = [];
    while (!ids.done) {
      const identity = ids.vec16('psk identity', 1);
      identities.push({ identity, obfuscatedTicketAge: ids.u32('obfuscated_ticket_age') });
    }
    const bindersOffset = r.offset;
    const list = r.block16('psk binders', 33);
    const binders: Uint8Array[] = [];
    while (!list.done) binders.push(list.vec8('psk binder', 32, 255));
    if (binders.length !== identities.length) {
      throw new IllegalParameterError(
        `pre_shared_key: ${identities.length} identities but ${binders.length} binders`,
        'BAD_PSK',
      );
    }
    return { identities, binders, bindersOffset };
  });
}

export function encodePreSharedKeyClientHello(offer: Pick<OfferedPsks, 'identities' | 'binders'>): Uint8Array {
  return encodeWith((w) => {
    w.vec16((w) => {
      for (const id of offer.identities) w.vec16(id.identity).u32(id.obfuscatedTicketAge);
    });
    writePskBinders(w, offer.binders);
  });
}

function writePskBinders(w: Writer, binders: readonly Uint8Array[]): void {
  w.vec16((w) => {
    for (const b of binders) w.vec8(b);
  });
}

/** Encoded length of the binders list (2-byte length + entries), for sizing before binders exist. */
export function pskBindersLength(binderLengths: readonly number[]): number {
  return binderLengths.reduce((n, len) => n + 1 + len, 2);
}

/** ServerHello: `uint16 selected_identity`. */
export function parsePreSharedKeyServerHello(body: Uint8Array): number {
  return parseWith(body, 'pre_shared_key', (r) => r.u16('selected_identity'));
}

export function encodePreSharedKeyServerHello(selectedIdentity: number): Uint8Array {
  return encodeWith((w) => w.u16(selectedIdentity), 2);
}

// --- early_data (RFC 8446 §4.2.10), cookie (§4.2.2) ----------------------------------------------

/** NewSessionTicket: `uint32 max_early_data_size`. (CH/EE: empty.) */
export function parseEarlyDataNewSessionTicket(body: Uint8Array): number {
  return parseWith(body, 'early_data', (r) => r.u32('max_early_data_size'));
}

export function encodeEarlyDataNewSessionTicket(maxEarlyDataSize: number): Uint8Array {
  return encodeWith((w) => w.u32(maxEarlyDataSize), 4);
}

/** `opaque cookie<1..2^16-1>`. */
export function parseCookie(body: Uint8Array): Uint8Array {
  return parseWith(body, 'cookie', (r) => r.vec16('cookie', 1));
}

export function encodeCookie(cookie: Uint8Array): Uint8Array {
  return encodeWith((w) => w.vec16(cookie), cookie.length + 2);
}

// --- ALPN (RFC 7301 §3.1) ------------------------------------------------------------------------

/** `ProtocolName protocol_name_list<2..2^16-1>` with `opaque ProtocolName<1..2^8-1>`. */
export function parseAlpn(body: Uint8Array): Uint8Array[] {
  return parseWith(body, 'application_layer_protocol_negotiation', (r) => {
    const list = r.block16('ALPN protocol list', 2);
    const out: Uint8Array[] = [];
    while (!list.done) out.push(list.vec8('ALPN protocol name', 1));
    return out;
  });
}

export function encodeAlpn(protocols: readonly Uint8Array[]): Uint8Array {
  return encodeWith((w) =>
    w.vec16((w) => {
      for (const p of protocols) w.vec8(p);
    }),
  );
}

/** Server side (SH/EE): RFC 7301 §3.1: the list "MUST contain exactly one ProtocolName". */
export function parseAlpnServer(body: Uint8Array): Uint8Array {
  const list = parseAlpn(body);
  if (list.length !== 1) throw new DecodeError(`ALPN: server selected ${list.length} protocols`, 'BAD_EXTENSION');
  return list[0]!;
}

// --- status_request (RFC 6066 §8, RFC 8446 §4.4.2.1) ---------------------------------------------

export interface CertificateStatusRequest {
  statusType: number;
  /** For ocsp (1): `ResponderID responder_id_list<0..2^16-1>`. */
  responderIdList: Uint8Array[];
  /** For ocsp (1): `Extensions request_extensions<0..2^16-1>` (DER, opaque here). */
  requestExtensions: Uint8Array;
  /** For other status types: the raw request, kept for round trips. */
  other?: Uint8Array;
}

/** ClientHello / CertificateRequest: `CertificateStatusRequest`. */
export function parseStatusRequest(body: Uint8Array): CertificateStatusRequest {
  return parseWith(body, 'status_request', (r) => {
    const statusType = r.u8('status_type');
    if (statusType !== 1)
      return { statusType, responderIdList: [], requestExtensions: new Uint8Array(0), other: r.rest() };
    const ids = r.block16('responder_id_list');
    const responderIdList: Uint8Array[] = [];
    while (!ids.done) responderIdList.push(ids.vec16('ResponderID', 1));
    return { statusType, responderIdList, requestExtensions: r.vec16('request_extensions') };
  });
}

export function encodeStatusRequest(req: CertificateStatusRequest): Uint8Array {
  return encodeWith((w) => {
    w.u8(req.statusType);
    if (req.other !== undefined) {
      w.bytes(req.other);
      return;
    }
    w.vec16((w) => {
      for (const id of req.responderIdList) w.vec16(id);
    });
    w.vec16(req.requestExtensions);
  });
}

// --- small TLS 1.2-era extensions ----------------------------------------------------------------

/** RFC 8422 §5.1.2: `ECPointFormat ec_point_format_list<1..2^8-1>`. */
export function parseEcPointFormats(body: Uint8Array): number[] {
  return parseWith(body, 'ec_point_formats', (r) => r.u8List('ec_point_formats', 1, 255));
}

export function encodeEcPointFormats(formats: readonly number[]): Uint8Array {
  return encodeWith((w) => w.u8List(formats));
}

/** RFC 5746 §3.2: `opaque renegotiated_connection<0..255>`. */
export function parseRenegotiationInfo(body: Uint8Array): Uint8Array {
  return parseWith(body, 'renegotiation_info', (r) => r.vec8('renegotiated_connection'));
}

export function encodeRenegotiationInfo(renegotiatedConnection: Uint8Array): Uint8Array {
  return encodeWith((w) => w.vec8(renegotiatedConnection));
}

/**
 * RFC 8449 §4: `uint16 RecordSizeLimit`; "An endpoint MUST treat receipt of a smaller value [than 64] as
 * a fatal error and generate an "illegal_parameter" alert."
 */
export function parseRecordSizeLimit(body: Uint8Array): number {
  const limit = parseWith(body, 'record_size_limit', (r) => r.u16('record_size_limit'));
  if (limit < 64) throw new IllegalParameterError(`record_size_limit ${limit} below 64`, 'BAD_EXTENSION');
  return limit;
}

export function encodeRecordSizeLimit(limit: number): Uint8Array {
  return encodeWith((w) => w.u16(limit), 2);
}

/**
 * RFC 6066 §4: `enum { 2^9(1), 2^10(2), 2^11(3), 2^12(4) } MaxFragmentLength`; "If a server receives a
 * maximum fragment length negotiation request for a value other than the allowed values, it MUST abort
 * the handshake with an "illegal_parameter" alert."
 */
export function parseMaxFragmentLength(body: Uint8Array): number {
  const code = parseWith(body, 'max_fragment_length', (r) => r.u8('max_fragment_length'));
  if (code < 1 || code > 4)
    throw new IllegalParameterError(`max_fragment_length code ${code}`, 'SSL3_EXT_INVALID_MAX_FRAGMENT_LENGTH');
  return code;
}

export function encodeMaxFragmentLength(code: number): Uint8Array {
  return Uint8Array.of(code);
}

/** Fragment size of a MaxFragmentLength code: 2^(8+code). */
export function maxFragmentLengthBytes(code: number): number {
  return 1 << (8 + code);
}

/** RFC 7685 §3: the padding extension is filled with zero bytes; returns its length. */
export function parsePadding(body: Uint8Array): number {
  for (const b of body)
    if (b !== 0) throw new DecodeError('padding extension contains a non-zero byte', 'BAD_EXTENSION');
  return body.length;
}

export function encodePadding(length: number): Uint8Array {
  return new Uint8Array(length);
}

/** RFC 8446 §4.2.4: `DistinguishedName authorities<3..2^16-1>` with `opaque DistinguishedName<1..2^16-1>`. */
export function parseCertificateAuthorities(body: Uint8Array): Uint8Array[] {
  return parseWith(body, 'certificate_authorities', (r) => {
    const list = r.block16('certificate_authorities', 3);
    const out: Uint8Array[] = [];
    while (!list.done) out.push(list.vec16('DistinguishedName', 1));
    return out;
  });
}

export function encodeCertificateAuthorities(names: readonly Uint8Array[]): Uint8Array {
  return encodeWith((w) =>
    w.vec16((w) => {
      for (const n of names) w.vec16(n);
    }),
  );
}

export interface OidFilter {
  /** DER-encoded OID content bytes. */
  oid: Uint8Array;
  /** DER-encoded extension values. */
  values: Uint8Array;
}

/** RFC 8446 §4.2.5: `OIDFilter filters<0..2^16-1>`, `opaque certificate_extension_oid<1..2^8-1>`. */
export function parseOidFilters(body: Uint8Array): OidFilter[] {
  return parseWith(body, 'oid_filters', (r) => {
    const list = r.block16('oid_filters');
    const out: OidFilter[] = [];
    while (!list.done) {
      const oid = list.vec8('certificate_extension_oid', 1);
      out.push({ oid, values: list.vec16('certificate_extension_values') });
    }
    return out;
  });
}

export function encodeOidFilters(filters: readonly OidFilter[]): Uint8Array {
  return encodeWith((w) =>
    w.vec16((w) => {
      for (const f of filters) w.vec8(f.oid).vec16(f.values);
    }),
  );
}

/** RFC 8879 §3: `CertificateCompressionAlgorithm algorithms<2..2^8-2>`. */
export function parseCompressCertificate(body: Uint8Array): number[] {
  return parseWith(body, 'compress_certificate', (r) => {
    const list = r.vec8('compress_certificate algorithms', 2, 254);
    if (list.length & 1) throw new DecodeError('compress_certificate: odd length', 'BAD_LENGTH');
    const out: number[] = [];
    for (let i = 0; i < list.length; i += 2) out.push((list[i]! << 8) | list[i + 1]!);
    return out;
  });
}

export function encodeCompressCertificate(algorithms: readonly number[]): Uint8Array {
  return encodeWith((w) =>
    w.vec8((w) => {
      for (const a of algorithms) w.u16(a);
    }),
  );
}

// --- which message may carry which extension (RFC 8446 §4.2) -------------------------------------

const E = ExtensionType;
/**
 * RFC 8446 §4.2's table, plus the TLS 1.3 column of the IANA registry for later extensions
 * (record_size_limit RFC 8449, compress_certificate RFC 8879, delegated_credential RFC 9345,
 * ticket_request RFC 9149, encrypted_client_hello, application_settings). Extensions defined only for
 * TLS 1.2 may appear in a ClientHello (which also offers 1.2) and nowhere else in TLS 1.3.
 */
const ALLOWED: ReadonlyMap<number, readonly ExtensionContext[]> = new Map<number, readonly ExtensionContext[]>([
  [E.server_name, ['CH', 'EE']],
  [E.max_fragment_length, ['CH', 'EE']],
  [E.status_request, ['CH', 'CR', 'CT']],
  [E.supported_groups, ['CH', 'EE']],
  [E.signature_algorithms, ['CH', 'CR']],
  [E.use_srtp, ['CH', 'EE']],
  [E.heartbeat, ['CH', 'EE']],
  [E.application_layer_protocol_negotiation, ['CH', 'EE']],
  [E.signed_certificate_timestamp, ['CH', 'CR', 'CT']],
  [E.client_certificate_type, ['CH', 'EE']],
  [E.server_certificate_type, ['CH', 'EE']],
  [E.padding, ['CH']],
  [E.pre_shared_key, ['CH', 'SH']],
  [E.early_data, ['CH', 'EE', 'NST']],
  [E.supported_versions, ['CH', 'SH', 'HRR']],
  [E.cookie, ['CH', 'HRR']],
  [E.psk_key_exchange_modes, ['CH']],
  [E.certificate_authorities, ['CH', 'CR']],
  [E.oid_filters, ['CR']],
  [E.post_handshake_auth, ['CH']],
  [E.signature_algorithms_cert, ['CH', 'CR']],
  [E.key_share, ['CH', 'SH', 'HRR']],
  [E.record_size_limit, ['CH', 'EE']],
  [E.compress_certificate, ['CH', 'CR']],
  [E.delegated_credential, ['CH', 'CR', 'CT']],
  [E.ticket_request, ['CH', 'EE']],
  [E.transparency_info, ['CH', 'CR', 'CT']],
  [E.quic_transport_parameters, ['CH', 'EE']],
  [E.encrypted_client_hello, ['CH', 'HRR', 'EE']],
  [E.application_settings, ['CH', 'EE']],
  [E.application_settings_new, ['CH', 'EE']],
  // TLS 1.2-only extensions (IANA TLS 1.3 column "-"), sent in a ClientHello that also offers 1.2.
  [E.ec_point_formats, ['CH']],
  [E.extended_master_secret, ['CH']],
  [E.renegotiation_info, ['CH']],
  [E.session_ticket, ['CH']],
  [E.encrypt_then_mac, ['CH']],
  [E.truncated_hmac, ['CH']],
  [E.status_request_v2, ['CH']],
  [E.next_protocol_negotiation, ['CH']],
]);

/**
 * RFC 8446 §4.2: may `type` appear in a TLS 1.3 `context` message? `true`/`false` for extensions we
 * recognise, `undefined` for unknown ones. The engine answers `false` with illegal_parameter ("If an
 * implementation receives an extension which it recognizes and which is not specified for the message in
 * which it appears, it MUST abort the handshake with an "illegal_parameter" alert"), and an unsolicited
 * response extension with unsupported_extension.
 */
export function extensionAllowed(context: ExtensionContext, type: number): boolean | undefined {
  const contexts = ALLOWED.get(type);
  return contexts === undefined ? undefined : contexts.includes(context);
}

/** Raises illegal_parameter for the first recognised extension not allowed in `context` (RFC 8446 §4.2). */
export function checkExtensionsAllowed(context: ExtensionContext, extensions: readonly Extension[]): void {
  for (const e of extensions) {
    if (extensionAllowed(context, e.type) === false) {
      throw new IllegalParameterError(`${ExtensionType.nameOf(e.type)} is not allowed in ${context}`, 'BAD_EXTENSION');
    }
  }
}

/** The unsupported_extension error for an extension the peer sent without our asking (RFC 8446 §4.2). */
export function unsolicitedExtension(context: ExtensionContext, type: number): CodecError {
  return new CodecError(
    `unsolicited ${ExtensionType.nameOf(type)} extension in ${context}`,
    'UNSOLICITED_EXTENSION',
    CodecAlert.unsupported_extension,
  );
}
