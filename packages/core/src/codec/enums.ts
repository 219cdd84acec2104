/**
 * TLS wire enumerations (IANA "Transport Layer Security (TLS) Parameters" registries) built with one
 * table-driven helper, {@link defineEnum}. Parsers never reject a code just because it is unknown:
 * values stay plain numbers, unknown codes survive a round trip and print as `unknown(0x…)`
 * (GREASE values, RFC 8701, print as `GREASE(0x…)`).
 *
 * Sources: RFC 8446 §4 / §6 / §B.3, RFC 5246 §7, RFC 6066, RFC 7919, RFC 8422, RFC 8701 and the IANA
 * registries for post-2018 code points (hybrid ML-KEM groups, ECH, ALPS).
 * @module
 */

/** A code table: member name → wire code. */
export type EnumTable = Readonly<Record<string, number>>;

/** Lookup helpers attached to every enum object. */
export interface EnumHelpers<T extends EnumTable> {
  /** The registry's name, used in messages (`'ExtensionType'`). */
  readonly enumName: string;
  /** Member name for a code; `GREASE(0x0a0a)` / `unknown(0x1234)` when not a member. */
  nameOf(code: number): string;
  /** Code for a member name, or undefined. */
  codeOf(name: string): T[keyof T] | undefined;
  /** True when `code` is a member of this registry. */
  isKnown(code: number): code is T[keyof T];
  /** Every `[name, code]` pair, in table order. */
  readonly entries: ReadonlyArray<readonly [keyof T & string, T[keyof T]]>;
}

export type Enum<T extends EnumTable> = Readonly<T> & EnumHelpers<T>;
/** The union of an enum object's codes: `type ContentType = EnumValue<typeof ContentType>`. */
export type EnumValue<E> = E extends Enum<infer T> ? T[keyof T] : never;

/** Formats a code as fixed-width hex (`0x001d`), the form OpenSSL and Wireshark print. */
export function hexCode(code: number, width = 4): string {
  return '0x' + code.toString(16).padStart(width, '0');
}

/**
 * Builds an enum object: the table's members as properties (`ContentType.handshake === 22`) plus
 * {@link EnumHelpers}. Member names must not collide with the helper names.
 */
export function defineEnum<const T extends EnumTable>(enumName: string, table: T, hexWidth = 4): Enum<T> {
  const byCode = new Map<number, string>();
  const byName = new Map<string, number>();
  for (const [name, code] of Object.entries(table)) {
    if (!byCode.has(code)) byCode.set(code, name);
    byName.set(name, code);
  }
  const helpers: EnumHelpers<T> = {
    enumName,
    nameOf(code: number): string {
      const name = byCode.get(code);
      if (name !== undefined) return name;
      return (hexWidth === 4 && isGrease(code) ? 'GREASE(' : 'unknown(') + hexCode(code, hexWidth) + ')';
    },
    codeOf(name: string): T[keyof T] | undefined {
      return byName.get(name) as T[keyof T] | undefined;
    },
    isKnown(code: number): code is T[keyof T] {
      return byCode.has(code);
    },
    entries: Object.entries(table) as unknown as ReadonlyArray<readonly [keyof T & string, T[keyof T]]>,
  };
  return Object.freeze({ ...table, ...helpers }) as Enum<T>;
}

/**
 * RFC 8701 §2: the 16 reserved 16-bit GREASE values 0x0A0A, 0x1A1A, …, 0xFAFA used for cipher suites,
 * extensions, named groups, signature algorithms and versions.
 */
export function isGrease(code: number): boolean {
  return (code & 0x0f0f) === 0x0a0a && code >>> 8 === (code & 0xff);
}

/** RFC 8701 §2: the GREASE PskKeyExchangeMode values 0x0B, 0x2A, …, 0xE4 (0x0B + 0x1F·n). */
export function isGreasePskMode(code: number): boolean {
  return code <= 0xff && code >= 0x0b && (code - 0x0b) % 0x1f === 0;
}

/** RFC 8446 §5.1 ContentType (+ RFC 6520 heartbeat, RFC 9146 tls12_cid, RFC 9147 ack). */
export const ContentType = defineEnum(
  'ContentType',
  {
    invalid: 0,
    change_cipher_spec: 20,
    alert: 21,
    handshake: 22,
    application_data: 23,
    heartbeat: 24,
    tls12_cid: 25,
    ack: 26,
  },
  2,
);
export type ContentType = EnumValue<typeof ContentType>;

/** RFC 8446 §6 AlertLevel. */
export const AlertLevel = defineEnum('AlertLevel', { warning: 1, fatal: 2 }, 2);
export type AlertLevel = EnumValue<typeof AlertLevel>;

/** RFC 8446 §6 and RFC 5246 §7.2 AlertDescription (reserved 1.2-only codes keep their 1.2 names). */
export const AlertDescription = defineEnum(
  'AlertDescription',
  {
    close_notify: 0,
    unexpected_message: 10,
    bad_record_mac: 20,
    decryption_failed: 21,
    record_overflow: 22,
    decompression_failure: 30,
    handshake_failure: 40,
    no_certificate: 41,
    bad_certificate: 42,
    unsupported_certificate: 43,
    certificate_revoked: 44,
    certificate_expired: 45,
    certificate_unknown: 46,
    illegal_parameter: 47,
    unknown_ca: 48,
    access_denied: 49,
    decode_error: 50,
    decrypt_error: 51,
    export_restriction: 60,
    protocol_version: 70,
    insufficient_security: 71,
    internal_error: 80,
    inappropriate_fallback: 86,
    user_canceled: 90,
    no_renegotiation: 100,
    missing_extension: 109,
    unsupported_extension: 110,
    certificate_unobtainable: 111,
    unrecognized_name: 112,
    bad_certificate_status_response: 113,
    bad_certificate_hash_value: 114,
    unknown_psk_identity: 115,
    certificate_required: 116,
    no_application_protocol: 120,
    ech_required: 121,
  },
  2,
);
export type AlertDescription = EnumValue<typeof AlertDescription>;

/** RFC 8446 §4 HandshakeType with the TLS 1.2 (RFC 5246 §7.4, RFC 6066 §8) and DTLS codes. */
export const HandshakeType = defineEnum(
  'HandshakeType',
  {
    hello_request: 0,
    client_hello: 1,
    server_hello: 2,
    hello_verify_request: 3,
    new_session_ticket: 4,
    end_of_early_data: 5,
    hello_retry_request: 6,
    encrypted_extensions: 8,
    request_connection_id: 9,
    new_connection_id: 10,
    certificate: 11,
    server_key_exchange: 12,
    certificate_request: 13,
    server_hello_done: 14,
    certificate_verify: 15,
    client_key_exchange: 16,
    client_certificate_request: 17,
    finished: 20,
    certificate_url: 21,
    certificate_status: 22,
    supplemental_data: 23,
    key_update: 24,
    compressed_certificate: 25,
    ekt_key: 26,
    message_hash: 254,
  },
  2,
);
export type HandshakeType = EnumValue<typeof HandshakeType>;

/** IANA ExtensionType registry (RFC 8446 §4.2 and the extensions it cites). */
export const ExtensionType = defineEnum('ExtensionType', {
  server_name: 0,
  max_fragment_length: 1,
  client_certificate_url: 2,
  trusted_ca_keys: 3,
  truncated_hmac: 4,
  status_request: 5,
  user_mapping: 6,
  client_authz: 7,
  server_authz: 8,
  cert_type: 9,
  supported_groups: 10,
  ec_point_formats: 11,
  srp: 12,
  signature_algorithms: 13,
  use_srtp: 14,
  heartbeat: 15,
  application_layer_protocol_negotiation: 16,
  status_request_v2: 17,
  signed_certificate_timestamp: 18,
  client_certificate_type: 19,
  server_certificate_type: 20,
  padding: 21,
  encrypt_then_mac: 22,
  extended_master_secret: 23,
  token_binding: 24,
  cached_info: 25,
  tls_lts: 26,
  compress_certificate: 27,
  record_size_limit: 28,
  pwd_protect: 29,
  pwd_clear: 30,
  password_salt: 31,
  ticket_pinning: 32,
  tls_cert_with_extern_psk: 33,
  delegated_credential: 34,
  session_ticket: 35,
  supported_ekt_ciphers: 39,
  pre_shared_key: 41,
  early_data: 42,
  supported_versions: 43,
  cookie: 44,
  psk_key_exchange_modes: 45,
  certificate_authorities: 47,
  oid_filters: 48,
  post_handshake_auth: 49,
  signature_algorithms_cert: 50,
  key_share: 51,
  transparency_info: 52,
  connection_id: 54,
  external_id_hash: 55,
  external_session_id: 56,
  quic_transport_parameters: 57,
  ticket_request: 58,
  dnssec_chain: 59,
  next_protocol_negotiation: 0x3374,
  application_settings: 0x4469,
  application_settings_new: 0x44cd,
  encrypted_client_hello: 0xfe0d,
  renegotiation_info: 0xff01,
});
export type ExtensionType = EnumValue<typeof ExtensionType>;

/** RFC 8446 §4.2.7 NamedGroup (+ RFC 8422, RFC 7919, RFC 8734, and the ML-KEM hybrid code points). */
export const NamedGroup = defineEnum('NamedGroup', {
  sect163k1: 1,
  sect163r1: 2,
  sect163r2: 3,
  sect193r1: 4,
  sect193r2: 5,
  sect233k1: 6,
  sect233r1: 7,
  sect239k1: 8,
  sect283k1: 9,
  sect283r1: 10,
  sect409k1: 11,
  sect409r1: 12,
  sect571k1: 13,
  sect571r1: 14,
  secp160k1: 15,
  secp160r1: 16,
  secp160r2: 17,
  secp192k1: 18,
  secp192r1: 19,
  secp224k1: 20,
  secp224r1: 21,
  secp256k1: 22,
  secp256r1: 0x0017,
  secp384r1: 0x0018,
  secp521r1: 0x0019,
  brainpoolP256r1: 26,
  brainpoolP384r1: 27,
  brainpoolP512r1: 28,
  x25519: 0x001d,
  x448: 0x001e,
  brainpoolP256r1tls13: 31,
  brainpoolP384r1tls13: 32,
  brainpoolP512r1tls13: 33,
  ffdhe2048: 0x0100,
  ffdhe3072: 0x0101,
  ffdhe4096: 0x0102,
  ffdhe6144: 0x0103,
  ffdhe8192: 0x0104,
  MLKEM512: 0x0200,
  MLKEM768: 0x0201,
  MLKEM1024: 0x0202,
  SecP256r1MLKEM768: 0x11eb,
  X25519MLKEM768: 0x11ec,
  SecP384r1MLKEM1024: 0x11ed,
  X25519Kyber768Draft00: 0x6399,
  arbitrary_explicit_prime_curves: 0xff01,
  arbitrary_explicit_char2_curves: 0xff02,
});
export type NamedGroup = EnumValue<typeof NamedGroup>;

/** RFC 8446 §4.2.3 SignatureScheme (+ RFC 8734 brainpool, ML-DSA code points). */
export const SignatureScheme = defineEnum('SignatureScheme', {
  rsa_pkcs1_sha256: 0x0401,
  rsa_pkcs1_sha384: 0x0501,
  rsa_pkcs1_sha512: 0x0601,
  ecdsa_secp256r1_sha256: 0x0403,
  ecdsa_secp384r1_sha384: 0x0503,
  ecdsa_secp521r1_sha512: 0x0603,
  rsa_pss_rsae_sha256: 0x0804,
  rsa_pss_rsae_sha384: 0x0805,
  rsa_pss_rsae_sha512: 0x0806,
  ed25519: 0x0807,
  ed448: 0x0808,
  rsa_pss_pss_sha256: 0x0809,
  rsa_pss_pss_sha384: 0x080a,
  rsa_pss_pss_sha512: 0x080b,
  ecdsa_brainpoolP256r1tls13_sha256: 0x081a,
  ecdsa_brainpoolP384r1tls13_sha384: 0x081b,
  ecdsa_brainpoolP512r1tls13_sha512: 0x081c,
  mldsa44: 0x0904,
  mldsa65: 0x0905,
  mldsa87: 0x0906,
  rsa_pkcs1_sha1: 0x0201,
  ecdsa_sha1: 0x0203,
  // TLS 1.2 (RFC 5246 §7.4.1.4.1) hash/signature pairs that have no TLS 1.3 name.
  rsa_pkcs1_sha224: 0x0301,
  ecdsa_sha224: 0x0303,
  dsa_sha1: 0x0202,
  dsa_sha224: 0x0302,
  dsa_sha256: 0x0402,
  dsa_sha384: 0x0502,
  dsa_sha512: 0x0602,
  rsa_md5: 0x0101,
});
export type SignatureScheme = EnumValue<typeof SignatureScheme>;

/** ProtocolVersion (RFC 8446 §4.1.2, §4.2.1), named as Python's `ssl.TLSVersion`. */
export const ProtocolVersion = defineEnum('ProtocolVersion', {
  SSLv3: 0x0300,
  TLSv1: 0x0301,
  TLSv1_1: 0x0302,
  TLSv1_2: 0x0303,
  TLSv1_3: 0x0304,
});
export type ProtocolVersion = EnumValue<typeof ProtocolVersion>;

/** RFC 8446 §4.2.9 PskKeyExchangeMode. */
export const PskKeyExchangeMode = defineEnum('PskKeyExchangeMode', { psk_ke: 0, psk_dhe_ke: 1 }, 2);
export type PskKeyExchangeMode = EnumValue<typeof PskKeyExchangeMode>;

/** RFC 6066 §8 / RFC 6961 CertificateStatusType. */
export const CertificateStatusType = defineEnum('CertificateStatusType', { ocsp: 1, ocsp_multi: 2 }, 2);
export type CertificateStatusType = EnumValue<typeof CertificateStatusType>;

/** RFC 8446 §4.6.3 KeyUpdateRequest. */
export const KeyUpdateRequest = defineEnum('KeyUpdateRequest', { update_not_requested: 0, update_requested: 1 }, 2);
export type KeyUpdateRequest = EnumValue<typeof KeyUpdateRequest>;

/** RFC 8422 §5.1.2 ECPointFormat. */
export const ECPointFormat = defineEnum(
  'ECPointFormat',
  { uncompressed: 0, ansiX962_compressed_prime: 1, ansiX962_compressed_char2: 2 },
  2,
);
export type ECPointFormat = EnumValue<typeof ECPointFormat>;

/** RFC 8422 §5.4 ECCurveType (only named_curve is allowed, RFC 8422 §5.4). */
export const ECCurveType = defineEnum('ECCurveType', { explicit_prime: 1, explicit_char2: 2, named_curve: 3 }, 2);
export type ECCurveType = EnumValue<typeof ECCurveType>;

/** RFC 5246 §7.4.4 / RFC 8422 §5.5 ClientCertificateType (TLS 1.2 CertificateRequest). */
export const ClientCertificateType = defineEnum(
  'ClientCertificateType',
  {
    rsa_sign: 1,
    dss_sign: 2,
    rsa_fixed_dh: 3,
    dss_fixed_dh: 4,
    rsa_ephemeral_dh: 5,
    dss_ephemeral_dh: 6,
    fortezza_dms: 20,
    ecdsa_sign: 64,
    rsa_fixed_ecdh: 65,
    ecdsa_fixed_ecdh: 66,
  },
  2,
);
export type ClientCertificateType = EnumValue<typeof ClientCertificateType>;

/** RFC 6066 §3 NameType. */
export const NameType = defineEnum('NameType', { host_name: 0 }, 2);
export type NameType = EnumValue<typeof NameType>;

/** RFC 6066 §4 MaxFragmentLength: 2^9, 2^10, 2^11, 2^12. */
export const MaxFragmentLength = defineEnum('MaxFragmentLength', { '2^9': 1, '2^10': 2, '2^11': 3, '2^12': 4 }, 2);
export type MaxFragmentLength = EnumValue<typeof MaxFragmentLength>;

/** RFC 8879 §3 CertificateCompressionAlgorithm. */
export const CertificateCompressionAlgorithm = defineEnum('CertificateCompressionAlgorithm', {
  zlib: 1,
  brotli: 2,
  zstd: 3,
});
export type CertificateCompressionAlgorithm = EnumValue<typeof CertificateCompressionAlgorithm>;

/** RFC 5246 §7.4.1.2 CompressionMethod (RFC 8446 §4.1.2: only null in TLS 1.3). */
export const CompressionMethod = defineEnum('CompressionMethod', { null: 0, DEFLATE: 1 }, 2);
export type CompressionMethod = EnumValue<typeof CompressionMethod>;

/**
 * Cipher suites by IANA name (RFC 8446 §B.4, RFC 5288, RFC 5289, RFC 7905, RFC 5746 §3.3, RFC 7507),
 * with OpenSSL's names in {@link cipherSuiteOpenSSLName}.
 */
export const CipherSuite = defineEnum('CipherSuite', {
  TLS_NULL_WITH_NULL_NULL: 0x0000,
  TLS_AES_128_GCM_SHA256: 0x1301,
  TLS_AES_256_GCM_SHA384: 0x1302,
  TLS_CHACHA20_POLY1305_SHA256: 0x1303,
  TLS_AES_128_CCM_SHA256: 0x1304,
  TLS_AES_128_CCM_8_SHA256: 0x1305,
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 0xc02b,
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 0xc02c,
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 0xc02f,
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 0xc030,
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 0xcca9,
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 0xcca8,
  TLS_DHE_RSA_WITH_AES_128_GCM_SHA256: 0x009e,
  TLS_DHE_RSA_WITH_AES_256_GCM_SHA384: 0x009f,
  TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 0xccaa,
  TLS_RSA_WITH_AES_128_GCM_SHA256: 0x009c,
  TLS_RSA_WITH_AES_256_GCM_SHA384: 0x009d,
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256: 0xc023,
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384: 0xc024,
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256: 0xc027,
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384: 0xc028,
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 0xc009,
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 0xc00a,
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 0xc013,
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 0xc014,
  TLS_DHE_RSA_WITH_AES_128_CBC_SHA: 0x0033,
  TLS_DHE_RSA_WITH_AES_256_CBC_SHA: 0x0039,
  TLS_RSA_WITH_AES_128_CBC_SHA: 0x002f,
  TLS_RSA_WITH_AES_256_CBC_SHA: 0x0035,
  TLS_RSA_WITH_AES_128_CBC_SHA256: 0x003c,
  TLS_RSA_WITH_AES_256_CBC_SHA256: 0x003d,
  TLS_RSA_WITH_3DES_EDE_CBC_SHA: 0x000a,
  TLS_RSA_WITH_RC4_128_SHA: 0x0005,
  TLS_RSA_WITH_RC4_128_MD5: 0x0004,
  TLS_EMPTY_RENEGOTIATION_INFO_SCSV: 0x00ff,
  TLS_FALLBACK_SCSV: 0x5600,
});
export type CipherSuite = EnumValue<typeof CipherSuite>;

/** OpenSSL's names (`openssl ciphers -V`); TLS 1.3 suites use the IANA name, as OpenSSL does. */
const OPENSSL_CIPHER_NAMES: ReadonlyMap<number, string> = new Map([
  [0x1301, 'TLS_AES_128_GCM_SHA256'],
  [0x1302, 'TLS_AES_256_GCM_SHA384'],
  [0x1303, 'TLS_CHACHA20_POLY1305_SHA256'],
  [0x1304, 'TLS_AES_128_CCM_SHA256'],
  [0x1305, 'TLS_AES_128_CCM_8_SHA256'],
  [0xc02b, 'ECDHE-ECDSA-AES128-GCM-SHA256'],
  [0xc02c, 'ECDHE-ECDSA-AES256-GCM-SHA384'],
  [0xc02f, 'ECDHE-RSA-AES128-GCM-SHA256'],
  [0xc030, 'ECDHE-RSA-AES256-GCM-SHA384'],
  [0xcca9, 'ECDHE-ECDSA-CHACHA20-POLY1305'],
  [0xcca8, 'ECDHE-RSA-CHACHA20-POLY1305'],
  [0x009e, 'DHE-RSA-AES128-GCM-SHA256'],
  [0x009f, 'DHE-RSA-AES256-GCM-SHA384'],
  [0xccaa, 'DHE-RSA-CHACHA20-POLY1305'],
  [0x009c, 'AES128-GCM-SHA256'],
  [0x009d, 'AES256-GCM-SHA384'],
  [0xc023, 'ECDHE-ECDSA-AES128-SHA256'],
  [0xc024, 'ECDHE-ECDSA-AES256-SHA384'],
  [0xc027, 'ECDHE-RSA-AES128-SHA256'],
  [0xc028, 'ECDHE-RSA-AES256-SHA384'],
  [0xc009, 'ECDHE-ECDSA-AES128-SHA'],
  [0xc00a, 'ECDHE-ECDSA-AES256-SHA'],
  [0xc013, 'ECDHE-RSA-AES128-SHA'],
  [0xc014, 'ECDHE-RSA-AES256-SHA'],
  [0x0033, 'DHE-RSA-AES128-SHA'],
  [0x0039, 'DHE-RSA-AES256-SHA'],
  [0x002f, 'AES128-SHA'],
  [0x0035, 'AES256-SHA'],
  [0x003c, 'AES128-SHA256'],
  [0x003d, 'AES256-SHA256'],
  [0x000a, 'DES-CBC3-SHA'],
  [0x0005, 'RC4-SHA'],
  [0x0004, 'RC4-MD5'],
]);
const OPENSSL_CIPHER_CODES: ReadonlyMap<string, number> = new Map(
  [...OPENSSL_CIPHER_NAMES].map(([code, name]) => [name, code]),
);

/** OpenSSL's name of a cipher suite (`ECDHE-RSA-AES128-GCM-SHA256`), or undefined for SCSVs/unknown codes. */
export function cipherSuiteOpenSSLName(code: number): string | undefined {
  return OPENSSL_CIPHER_NAMES.get(code);
}

/** Cipher suite code from an OpenSSL name, or undefined. */
export function cipherSuiteFromOpenSSLName(name: string): number | undefined {
  return OPENSSL_CIPHER_CODES.get(name);
}

/** RFC 8446 §4.1.2: TLS 1.3 cipher suites are the 0x13XX block. */
export function isTls13CipherSuite(code: number): boolean {
  return code >>> 8 === 0x13;
}
