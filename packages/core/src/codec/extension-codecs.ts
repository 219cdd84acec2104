/**
 * One table from (message, extension type) to the typed codec of that extension body, built from the
 * parse/encode pairs of extensions.ts. The engine calls the typed functions directly; this table serves
 * generic tooling — validating a whole block, printing a message, the conformance prober (#11) — and
 * the round-trip tests.
 * @module
 */

import { type DeviationCollector, deviate } from './deviations.js';
import { ExtensionType as T } from './enums.js';
import { CodecError, IllegalParameterError } from './errors.js';
import {
  EMPTY_EXTENSION_BODY,
  type Extension,
  type ExtensionContext,
  encodeAlpn,
  encodeCertificateAuthorities,
  encodeCompressCertificate,
  encodeCookie,
  encodeEarlyDataNewSessionTicket,
  encodeEcPointFormats,
  encodeKeyShareClientHello,
  encodeKeyShareHelloRetryRequest,
  encodeKeyShareServerHello,
  encodeMaxFragmentLength,
  encodeOidFilters,
  encodePadding,
  encodePreSharedKeyClientHello,
  encodePreSharedKeyServerHello,
  encodePskKeyExchangeModes,
  encodeRecordSizeLimit,
  encodeRenegotiationInfo,
  encodeServerName,
  encodeSignatureAlgorithms,
  encodeStatusRequest,
  encodeSupportedGroups,
  encodeSupportedVersionsClientHello,
  encodeSupportedVersionsServerHello,
  extensionAllowed,
  parseAlpn,
  parseAlpnServer,
  parseCertificateAuthorities,
  parseCompressCertificate,
  parseCookie,
  parseEarlyDataNewSessionTicket,
  parseEcPointFormats,
  parseEmptyExtension,
  parseKeyShareClientHello,
  parseKeyShareHelloRetryRequest,
  parseKeyShareServerHello,
  parseMaxFragmentLength,
  parseOidFilters,
  parsePadding,
  parsePreSharedKeyClientHello,
  parsePreSharedKeyServerHello,
  parsePskKeyExchangeModes,
  parseRecordSizeLimit,
  parseRenegotiationInfo,
  parseServerName,
  parseSignatureAlgorithms,
  parseStatusRequest,
  parseSupportedGroups,
  parseSupportedVersionsClientHello,
  parseSupportedVersionsServerHello,
} from './extensions.js';
import { encodeCertificateStatusBody, parseCertificateStatus } from './messages.js';

/** A typed extension body codec. `kind` says how much structure it decodes. */
export interface ExtensionCodec<V = unknown> {
  /** `empty`: must be empty; `raw`: opaque bytes kept as they are; `typed`: a decoded structure. */
  kind: 'empty' | 'raw' | 'typed';
  /** `deviations`: lenient mode (deviations.ts), honoured by the parsers that take it. */
  parse(body: Uint8Array, deviations?: DeviationCollector): V;
  encode(value: V): Uint8Array;
}

function typed<V>(
  parse: (body: Uint8Array, deviations?: DeviationCollector) => V,
  encode: (value: V) => Uint8Array,
): ExtensionCodec<V> {
  return { kind: 'typed', parse, encode };
}

function empty(name: string): ExtensionCodec<undefined> {
  return {
    kind: 'empty',
    parse: (body) => {
      parseEmptyExtension(body, name);
      return undefined;
    },
    encode: () => EMPTY_EXTENSION_BODY,
  };
}

const RAW: ExtensionCodec<Uint8Array> = { kind: 'raw', parse: (body) => body, encode: (body) => body };

type Row = Partial<Record<ExtensionContext, ExtensionCodec<never>>>;
const rows = new Map<number, Row>();
function define(type: number, row: Row): void {
  rows.set(type, row);
}
// `never` in the row type lets each codec keep its own value type; lookups hand out ExtensionCodec<unknown>.
const c = <V>(codec: ExtensionCodec<V>): ExtensionCodec<never> => codec as unknown as ExtensionCodec<never>;

const alpnList = typed(parseAlpn, encodeAlpn);
const alpnSelected = typed(parseAlpnServer, (p: Uint8Array) => encodeAlpn([p]));
const signatureAlgorithms = typed(parseSignatureAlgorithms, encodeSignatureAlgorithms);
const statusRequest = typed(parseStatusRequest, encodeStatusRequest);

define(T.server_name, {
  CH: c(typed(parseServerName, encodeServerName)),
  SH: c(empty('server_name')),
  EE: c(empty('server_name')),
});
define(
  T.max_fragment_length,
  ((m) => ({ CH: m, SH: m, EE: m }))(c(typed(parseMaxFragmentLength, encodeMaxFragmentLength))),
);
define(T.status_request, {
  CH: c(statusRequest),
  CR: c(statusRequest),
  CT: c(typed(parseCertificateStatus, encodeCertificateStatusBody)),
  SH: c(empty('status_request')),
});
define(T.supported_groups, ((g) => ({ CH: g, EE: g }))(c(typed(parseSupportedGroups, encodeSupportedGroups))));
define(T.ec_point_formats, ((f) => ({ CH: f, SH: f }))(c(typed(parseEcPointFormats, encodeEcPointFormats))));
define(T.signature_algorithms, { CH: c(signatureAlgorithms), CR: c(signatureAlgorithms) });
define(T.signature_algorithms_cert, { CH: c(signatureAlgorithms), CR: c(signatureAlgorithms) });
define(T.application_layer_protocol_negotiation, { CH: c(alpnList), SH: c(alpnSelected), EE: c(alpnSelected) });
define(T.signed_certificate_timestamp, {
  CH: c(empty('signed_certificate_timestamp')),
  CR: c(empty('signed_certificate_timestamp')),
  SH: c(RAW),
  CT: c(RAW),
});
define(T.padding, { CH: c({ kind: 'raw', parse: parsePadding, encode: encodePadding }) });
define(T.encrypt_then_mac, { CH: c(empty('encrypt_then_mac')), SH: c(empty('encrypt_then_mac')) });
define(T.extended_master_secret, { CH: c(empty('extended_master_secret')), SH: c(empty('extended_master_secret')) });
define(T.post_handshake_auth, { CH: c(empty('post_handshake_auth')) });
define(T.record_size_limit, ((l) => ({ CH: l, SH: l, EE: l }))(c(typed(parseRecordSizeLimit, encodeRecordSizeLimit))));
define(
  T.compress_certificate,
  ((a) => ({ CH: a, CR: a }))(c(typed(parseCompressCertificate, encodeCompressCertificate))),
);
define(T.session_ticket, { CH: c(RAW), SH: c(empty('session_ticket')) });
define(T.pre_shared_key, {
  CH: c(typed(parsePreSharedKeyClientHello, encodePreSharedKeyClientHello)),
  SH: c(typed(parsePreSharedKeyServerHello, encodePreSharedKeyServerHello)),
});
define(T.early_data, {
  CH: c(empty('early_data')),
  EE: c(empty('early_data')),
  NST: c(typed(parseEarlyDataNewSessionTicket, encodeEarlyDataNewSessionTicket)),
});
const selectedVersion = c(typed(parseSupportedVersionsServerHello, encodeSupportedVersionsServerHello));
define(T.supported_versions, {
  CH: c(typed(parseSupportedVersionsClientHello, encodeSupportedVersionsClientHello)),
  SH: selectedVersion,
  HRR: selectedVersion,
});
define(T.cookie, ((k) => ({ CH: k, HRR: k }))(c(typed(parseCookie, encodeCookie))));
define(T.psk_key_exchange_modes, { CH: c(typed(parsePskKeyExchangeModes, encodePskKeyExchangeModes)) });
define(
  T.certificate_authorities,
  ((a) => ({ CH: a, CR: a }))(c(typed(parseCertificateAuthorities, encodeCertificateAuthorities))),
);
define(T.oid_filters, { CR: c(typed(parseOidFilters, encodeOidFilters)) });
define(T.key_share, {
  CH: c(typed(parseKeyShareClientHello, encodeKeyShareClientHello)),
  SH: c(typed(parseKeyShareServerHello, encodeKeyShareServerHello)),
  HRR: c(typed(parseKeyShareHelloRetryRequest, encodeKeyShareHelloRetryRequest)),
});
define(T.renegotiation_info, ((r) => ({ CH: r, SH: r }))(c(typed(parseRenegotiationInfo, encodeRenegotiationInfo))));

/**
 * The codec for extension `type` in message `context` (TLS 1.2 ServerHello extensions use `'SH'`), or
 * undefined when the codec has no typed form for it there.
 */
export function extensionCodec(context: ExtensionContext, type: number): ExtensionCodec | undefined {
  return rows.get(type)?.[context] as ExtensionCodec | undefined;
}

/** Extension types with a codec in some context. */
export function knownExtensionTypes(): number[] {
  return [...rows.keys()];
}

/**
 * Checks a whole block: each recognised extension must be allowed in `context` (RFC 8446 §4.2 →
 * illegal_parameter; pass `tls13: false` to skip this for TLS 1.2 messages) and its body must parse.
 * Returns the parsed values by extension type; unknown extensions are skipped (RFC 8446 §4.1.2: servers
 * ignore unrecognised ClientHello extensions; response-side rules are the engine's).
 */
export function parseExtensionBlock(
  context: ExtensionContext,
  extensions: readonly Extension[],
  options: { tls13?: boolean; deviations?: DeviationCollector } = {},
): Map<number, unknown> {
  const out = new Map<number, unknown>();
  const { deviations } = options;
  for (const e of extensions) {
    if (options.tls13 !== false && extensionAllowed(context, e.type) === false) {
      deviate(
        deviations,
        'RFC 8446 §4.2',
        new IllegalParameterError(`${T.nameOf(e.type)} is not allowed in ${context}`, 'BAD_EXTENSION'),
      );
    }
    const codec = extensionCodec(context, e.type);
    if (codec === undefined) continue;
    if (deviations === undefined) {
      out.set(e.type, codec.parse(e.body));
      continue;
    }
    // Lenient: an extension body that does not parse is one deviation; its siblings are still read.
    try {
      out.set(e.type, codec.parse(e.body, deviations));
    } catch (err) {
      if (!(err instanceof CodecError)) throw err;
      deviate(deviations, 'RFC 8446 §4.2', err);
    }
  }
  return out;
}
