/**
 * The server prober's battery (issue #11), sans-IO: each probe builds the bytes of one edge-case or
 * malformed ClientHello flight with the codec (no engine, no keys beyond a fresh public share), and a
 * {@link ProbeResponseReader} turns what the server sends back into a {@link ProbeResponse} — the
 * plaintext ServerHello / HelloRetryRequest (version, suite, group) or alert — which
 * {@link judgeProbe} compares with what the cited RFC section requires. Transport (a TCP socket, a
 * MemoryBIO pair, …) is the caller's: see `sanstls probe` in @sanstls/node-adapter.
 * @module
 */
import { SSLError } from '@sanstls/x509';
import {
  AlertDescription,
  AlertLevel,
  CipherSuite,
  type ClientHello,
  ContentType,
  type Deviation,
  deviationList,
  downgradeSentinel,
  type Extension,
  ExtensionType,
  encodeClientHello,
  encodeKeyShareClientHello,
  encodePadding,
  encodePskKeyExchangeModes,
  encodeRecord,
  encodeServerNameHost,
  encodeSignatureAlgorithms,
  encodeSupportedGroups,
  encodeSupportedVersionsClientHello,
  findExtension,
  HandshakeDefragmenter,
  HandshakeType,
  isGrease,
  NamedGroup,
  ProtocolVersion,
  parseKeyShareHelloRetryRequest,
  parseKeyShareServerHello,
  parseRecordHeader,
  parseServerHello,
  parseSupportedVersionsServerHello,
  RECORD_HEADER_LENGTH,
  SignatureScheme,
} from '../codec/index.js';
import type { CryptoProvider, GroupName } from '../crypto/provider.js';

const TLS12 = ProtocolVersion.TLSv1_2;
const TLS13 = ProtocolVersion.TLSv1_3;
/** RFC 8446 §5.1: the first ClientHello record may carry legacy_record_version 0x0301 for compatibility. */
const RECORD_VERSION = ProtocolVersion.TLSv1;

const TLS13_SUITES = [
  CipherSuite.TLS_AES_128_GCM_SHA256,
  CipherSuite.TLS_AES_256_GCM_SHA384,
  CipherSuite.TLS_CHACHA20_POLY1305_SHA256,
];
const TLS12_SUITES = [
  CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
  CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
  CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
  CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
  CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
  CipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
];
const SIGNATURE_SCHEMES = [
  SignatureScheme.ecdsa_secp256r1_sha256,
  SignatureScheme.ecdsa_secp384r1_sha384,
  SignatureScheme.rsa_pss_rsae_sha256,
  SignatureScheme.rsa_pss_rsae_sha384,
  SignatureScheme.rsa_pss_rsae_sha512,
  SignatureScheme.ed25519,
  SignatureScheme.rsa_pkcs1_sha256,
  SignatureScheme.rsa_pkcs1_sha384,
];
/** Unassigned code points (IANA TLS registries, 2026) used as "unknown" values. */
const UNKNOWN_GROUP = 0x2f2e;
const UNKNOWN_SUITE = 0x1fe1;
const UNKNOWN_EXTENSIONS = [0x3c3c, 0x4e21, 0xfe99];
/** A future TLS version (RFC 8446 §4.2.1: unknown versions must be ignored). */
const FUTURE_VERSION = 0x0305;

/** What the server answered, read from its plaintext records. */
export type ProbeResponse =
  | {
      readonly kind: 'server_hello' | 'hello_retry_request';
      /** Negotiated version: supported_versions if present, else legacy_version. */
      readonly version: number;
      readonly suite: number;
      /** key_share group (ServerHello share or HelloRetryRequest selected_group), if any. */
      readonly group: number | undefined;
      /** RFC 8446 §4.1.3 downgrade sentinel in ServerHello.random. */
      readonly downgrade: 'tls12' | 'tls11' | undefined;
      /** Codec deviations in the server's hello (lenient parse). */
      readonly deviations: readonly Deviation[];
    }
  | { readonly kind: 'alert'; readonly level: number; readonly description: number }
  /** The connection closed (or was reset) before any answer. */
  | { readonly kind: 'closed'; readonly detail: string }
  /** Nothing decisive within the caller's time limit. */
  | { readonly kind: 'timeout' }
  /** Bytes that are not a TLS answer (HTTP, a malformed record, …). */
  | { readonly kind: 'garbage'; readonly detail: string };

/** What a correct server does, as predicates over the answer. */
export interface ProbeExpectation {
  /** Human-readable: what the RFC requires. */
  readonly text: string;
  /** The answer a correct server gives. */
  readonly pass: (r: ProbeResponse) => boolean;
  /** Answers that are tolerated (a MAY, or a reasonable other reading): verdict `ok`. */
  readonly tolerate?: (r: ProbeResponse) => boolean;
}

export interface ProbeContext {
  readonly serverName: string | undefined;
  /** Client randoms, session ids, share keys. */
  readonly randomBytes: (n: number) => Uint8Array;
  readonly provider: CryptoProvider;
}

export interface Probe {
  /** Short stable id (CLI `-only`, tests). */
  readonly id: string;
  readonly title: string;
  /** The RFC section that says what a correct server does. */
  readonly section: string;
  readonly expect: ProbeExpectation;
  /** The records (each a complete TLS record, or raw bytes) to write, in order. */
  build(ctx: ProbeContext): Uint8Array[];
}

export type ProbeVerdict = 'pass' | 'ok' | 'FAIL' | 'n/a';

// --- ClientHello building -------------------------------------------------------------------------

function share(ctx: ProbeContext, group: number): { group: number; keyExchange: Uint8Array } {
  // Real public values for groups we implement (servers validate points); random bytes otherwise.
  const implemented = ctx.provider.group(NamedGroup.nameOf(group) as GroupName);
  return { group, keyExchange: implemented ? implemented.generate(ctx.randomBytes).publicKey : ctx.randomBytes(32) };
}

function ext(type: number, body: Uint8Array): Extension {
  return { type, body };
}

interface HelloShape {
  versions?: number[] | null;
  legacyVersion?: number;
  suites?: number[];
  groups?: number[] | null;
  shares?: number[] | null;
  compression?: number[];
  extra?: Extension[];
}

/** A modern TLS 1.3 + 1.2 ClientHello, adjusted by `shape` (null removes an extension). */
export function probeClientHello(ctx: ProbeContext, shape: HelloShape = {}): ClientHello {
  const extensions: Extension[] = [];
  if (ctx.serverName !== undefined)
    extensions.push(ext(ExtensionType.server_name, encodeServerNameHost(ctx.serverName)));
  const versions = shape.versions === undefined ? [TLS13, TLS12] : shape.versions;
  if (versions !== null)
    extensions.push(ext(ExtensionType.supported_versions, encodeSupportedVersionsClientHello(versions)));
  const groups = shape.groups === undefined ? [NamedGroup.x25519, NamedGroup.secp256r1] : shape.groups;
  if (groups !== null) extensions.push(ext(ExtensionType.supported_groups, encodeSupportedGroups(groups)));
  extensions.push(ext(ExtensionType.signature_algorithms, encodeSignatureAlgorithms(SIGNATURE_SCHEMES)));
  extensions.push(ext(ExtensionType.ec_point_formats, Uint8Array.of(1, 0)));
  extensions.push(ext(ExtensionType.renegotiation_info, Uint8Array.of(0)));
  extensions.push(ext(ExtensionType.extended_master_secret, new Uint8Array(0)));
  const shares = shape.shares === undefined ? [NamedGroup.x25519] : shape.shares;
  if (shares !== null) {
    extensions.push(ext(ExtensionType.key_share, encodeKeyShareClientHello(shares.map((g) => share(ctx, g)))));
  }
  extensions.push(ext(ExtensionType.psk_key_exchange_modes, encodePskKeyExchangeModes([1])));
  extensions.push(...(shape.extra ?? []));
  return {
    legacyVersion: shape.legacyVersion ?? TLS12,
    random: ctx.randomBytes(32),
    legacySessionId: ctx.randomBytes(32),
    cipherSuites: shape.suites ?? [...TLS13_SUITES, ...TLS12_SUITES],
    legacyCompressionMethods: shape.compression ?? [0],
    extensions,
  };
}

/** The ClientHello as one handshake record (or several when it exceeds `maxFragment`). */
export function helloRecords(hello: ClientHello | Uint8Array, maxFragment = 1 << 14): Uint8Array[] {
  const msg = hello instanceof Uint8Array ? hello : encodeClientHello(hello);
  const out: Uint8Array[] = [];
  for (let at = 0; at < msg.length; at += maxFragment) {
    out.push(encodeRecord(ContentType.handshake, RECORD_VERSION, msg.subarray(at, at + maxFragment)));
  }
  return out;
}

/** A padding extension that brings the ClientHello message to `total` bytes (RFC 7685). */
function padTo(ctx: ProbeContext, shape: HelloShape, total: number, fill = 0): ClientHello {
  const bare = probeClientHello(ctx, shape);
  const size = encodeClientHello(bare).length;
  const body = encodePadding(Math.max(0, total - size - 4));
  body.fill(fill);
  bare.extensions.push(ext(ExtensionType.padding, body));
  return bare;
}

// --- expectations ----------------------------------------------------------------------------------

const isHello = (r: ProbeResponse, version?: number) =>
  r.kind === 'server_hello' && (version === undefined || r.version === version);
const isAlert = (r: ProbeResponse, ...descriptions: number[]) =>
  r.kind === 'alert' && r.level === AlertLevel.fatal && descriptions.includes(r.description);
/** Any refusal: a fatal alert or a closed connection. */
const isRefusal = (r: ProbeResponse) => (r.kind === 'alert' && r.level === AlertLevel.fatal) || r.kind === 'closed';
const noGrease = (r: ProbeResponse) =>
  r.kind === 'server_hello' &&
  !isGrease(r.suite) &&
  !isGrease(r.version) &&
  (r.group === undefined || !isGrease(r.group));

const A = AlertDescription;

const handshake13: ProbeExpectation = {
  text: 'ServerHello, TLS 1.3',
  pass: (r) => isHello(r, TLS13),
  tolerate: (r) => isHello(r, TLS12),
};

/** The battery, in the order the table prints it. */
export const PROBES: readonly Probe[] = [
  {
    id: 'baseline',
    title: 'Modern TLS 1.3 ClientHello (x25519 share)',
    section: 'RFC 8446 §4.1.3',
    expect: handshake13,
    build: (ctx) => helloRecords(probeClientHello(ctx)),
  },
  {
    id: 'tls12-only',
    title: 'TLS 1.2 only (no supported_versions)',
    section: 'RFC 8446 §4.1.3, §4.2.1',
    expect: {
      text: 'TLS 1.2 with DOWNGRD\\x01 in random, or protocol_version',
      pass: (r) =>
        (r.kind === 'server_hello' && r.version === TLS12 && r.downgrade === 'tls12') || isAlert(r, A.protocol_version),
      tolerate: (r) => isHello(r, TLS12),
    },
    build: (ctx) => helloRecords(probeClientHello(ctx, { versions: null, suites: TLS12_SUITES, shares: null })),
  },
  {
    id: 'legacy-version-0304',
    title: 'legacy_version 0x0304, no supported_versions',
    section: 'RFC 8446 §4.2.1, App. D',
    expect: {
      text: 'TLS 1.2 (never 1.3 without supported_versions), or protocol_version',
      pass: (r) => isHello(r, TLS12) || isAlert(r, A.protocol_version),
    },
    build: (ctx) => helloRecords(probeClientHello(ctx, { versions: null, legacyVersion: TLS13 })),
  },
  {
    id: 'future-versions',
    title: 'supported_versions: 0x0305, 0x7f7f, TLS 1.3, TLS 1.2',
    section: 'RFC 8446 §4.2.1',
    expect: handshake13,
    build: (ctx) => helloRecords(probeClientHello(ctx, { versions: [FUTURE_VERSION, 0x7f7f, TLS13, TLS12] })),
  },
  {
    id: 'unknown-versions-only',
    title: 'supported_versions: unknown versions only',
    section: 'RFC 8446 §4.2.1',
    expect: {
      text: 'protocol_version alert',
      pass: (r) => isAlert(r, A.protocol_version),
      tolerate: isRefusal,
    },
    build: (ctx) => helloRecords(probeClientHello(ctx, { versions: [FUTURE_VERSION, 0x7f7f] })),
  },
  {
    id: 'unknown-extensions',
    title: 'Unknown extensions (3 unassigned types)',
    section: 'RFC 8446 §4.1.2, §4.2',
    expect: handshake13,
    build: (ctx) =>
      helloRecords(
        probeClientHello(ctx, { extra: UNKNOWN_EXTENSIONS.map((t, i) => ext(t, new Uint8Array(i * 7).fill(0x5a))) }),
      ),
  },
  {
    id: 'grease',
    title: 'GREASE suite, extensions, group, share, version, sig alg',
    section: 'RFC 8701 §3',
    expect: {
      text: 'ServerHello, no GREASE value selected',
      pass: (r) => noGrease(r) && isHello(r, TLS13),
      tolerate: noGrease,
    },
    build: (ctx) => {
      const hello = probeClientHello(ctx, {
        versions: [0x7a7a, TLS13, TLS12],
        groups: [0x2a2a, NamedGroup.x25519, NamedGroup.secp256r1],
        suites: [0x0a0a, ...TLS13_SUITES, ...TLS12_SUITES],
      });
      const ks = findExtension(hello.extensions, ExtensionType.key_share);
      if (ks !== undefined) {
        ks.body = encodeKeyShareClientHello([
          { group: 0x2a2a, keyExchange: Uint8Array.of(0) },
          share(ctx, NamedGroup.x25519),
        ]);
      }
      const sa = findExtension(hello.extensions, ExtensionType.signature_algorithms);
      if (sa !== undefined) sa.body = encodeSignatureAlgorithms([0x1a1a, ...SIGNATURE_SCHEMES]);
      hello.extensions.unshift(ext(0xdada, new Uint8Array(0)));
      hello.extensions.push(ext(0x3a3a, Uint8Array.of(0)));
      return helloRecords(hello);
    },
  },
  {
    id: 'large-hello',
    title: 'ClientHello of 600 bytes (> 512)',
    section: 'RFC 8446 §4.1.2, RFC 7685',
    expect: handshake13,
    build: (ctx) => helloRecords(padTo(ctx, {}, 600)),
  },
  {
    id: 'split-hello',
    title: 'ClientHello of 20 KiB over two records',
    section: 'RFC 8446 §5.1',
    expect: {
      text: 'ServerHello (messages may span records); a size limit alert is tolerated',
      pass: (r) => isHello(r, TLS13),
      tolerate: isRefusal,
    },
    build: (ctx) => helloRecords(padTo(ctx, {}, 20_000)),
  },
  {
    id: 'fragmented-hello',
    title: 'ClientHello in 1-byte records',
    section: 'RFC 8446 §5.1',
    expect: handshake13,
    build: (ctx) => helloRecords(probeClientHello(ctx), 1),
  },
  {
    id: 'unknown-groups-only',
    title: 'supported_groups and key_share: unknown group only',
    section: 'RFC 8446 §4.1.1, §4.2.7',
    expect: {
      text: 'handshake_failure (or insufficient_security)',
      pass: (r) => isAlert(r, A.handshake_failure, A.insufficient_security),
      tolerate: (r) => isRefusal(r) || (isHello(r, TLS12) && r.kind === 'server_hello'),
    },
    build: (ctx) =>
      helloRecords(probeClientHello(ctx, { groups: [UNKNOWN_GROUP], shares: [UNKNOWN_GROUP], suites: TLS13_SUITES })),
  },
  {
    id: 'hrr-unknown-share',
    title: 'key_share for an unknown group; x25519 in supported_groups',
    section: 'RFC 8446 §4.1.1, §4.1.4',
    expect: {
      text: 'HelloRetryRequest selecting x25519',
      pass: (r) => r.kind === 'hello_retry_request' && r.group === NamedGroup.x25519,
    },
    build: (ctx) =>
      helloRecords(probeClientHello(ctx, { groups: [UNKNOWN_GROUP, NamedGroup.x25519], shares: [UNKNOWN_GROUP] })),
  },
  {
    id: 'empty-key-share',
    title: 'Empty key_share (client_shares = [])',
    section: 'RFC 8446 §4.2.8',
    expect: {
      text: 'HelloRetryRequest with an offered group',
      pass: (r) =>
        r.kind === 'hello_retry_request' && (r.group === NamedGroup.x25519 || r.group === NamedGroup.secp256r1),
    },
    build: (ctx) => helloRecords(probeClientHello(ctx, { shares: [] })),
  },
  {
    id: 'no-key-share',
    title: 'TLS 1.3 with supported_groups but no key_share',
    section: 'RFC 8446 §9.2',
    expect: {
      text: 'missing_extension alert',
      pass: (r) => isAlert(r, A.missing_extension),
      tolerate: (r) => isRefusal(r) || isHello(r, TLS12),
    },
    build: (ctx) => helloRecords(probeClientHello(ctx, { shares: null, suites: TLS13_SUITES })),
  },
  {
    id: 'key-share-mismatch',
    title: 'key_share secp256r1; supported_groups x25519 only',
    section: 'RFC 8446 §4.2.8',
    expect: {
      text: 'illegal_parameter (MAY), else HelloRetryRequest for x25519',
      pass: (r) => isAlert(r, A.illegal_parameter),
      tolerate: (r) => r.kind === 'hello_retry_request' && r.group === NamedGroup.x25519,
    },
    build: (ctx) =>
      helloRecords(probeClientHello(ctx, { groups: [NamedGroup.x25519], shares: [NamedGroup.secp256r1] })),
  },
  {
    id: 'early-ccs',
    title: 'ChangeCipherSpec before the ClientHello',
    section: 'RFC 8446 §5',
    expect: { text: 'unexpected_message alert', pass: (r) => isAlert(r, A.unexpected_message), tolerate: isRefusal },
    build: (ctx) => [
      encodeRecord(ContentType.change_cipher_spec, TLS12, Uint8Array.of(1)),
      ...helloRecords(probeClientHello(ctx)),
    ],
  },
  {
    id: 'oversized-record',
    title: 'ClientHello in one record of 2^14 + 256 bytes',
    section: 'RFC 8446 §5.1',
    expect: { text: 'record_overflow alert', pass: (r) => isAlert(r, A.record_overflow), tolerate: isRefusal },
    build: (ctx) => helloRecords(padTo(ctx, {}, (1 << 14) + 256), 1 << 16),
  },
  {
    id: 'bad-padding',
    title: 'padding extension with non-zero bytes',
    section: 'RFC 7685 §3',
    expect: {
      text: 'the client MUST send zeros; no server rule: a handshake or a decode_error/illegal_parameter',
      pass: (r) => isHello(r) || isAlert(r, A.decode_error, A.illegal_parameter),
    },
    build: (ctx) => helloRecords(padTo(ctx, {}, 600, 0xff)),
  },
  {
    id: 'odd-suites-length',
    title: 'cipher_suites vector of odd length',
    section: 'RFC 8446 §3.4, §6.2',
    expect: { text: 'decode_error alert', pass: (r) => isAlert(r, A.decode_error), tolerate: isRefusal },
    build: (ctx) => {
      const msg = encodeClientHello(probeClientHello(ctx, { suites: [CipherSuite.TLS_AES_128_GCM_SHA256] }));
      // ClientHello: type(1) len(3) version(2) random(32) sid_len(1) sid(32) → suites length at 71.
      const mangled = new Uint8Array(msg.length + 1);
      mangled.set(msg.subarray(0, 73));
      mangled[72] = 3;
      mangled[75] = 0x00;
      mangled.set(msg.subarray(75), 76);
      const bodyLength = mangled.length - 4;
      mangled[1] = bodyLength >>> 16;
      mangled[2] = (bodyLength >>> 8) & 0xff;
      mangled[3] = bodyLength & 0xff;
      return helloRecords(mangled);
    },
  },
  {
    id: 'trailing-bytes',
    title: 'Handshake length covers 3 bytes after the extensions',
    section: 'RFC 8446 §4, §6.2',
    expect: { text: 'decode_error alert', pass: (r) => isAlert(r, A.decode_error), tolerate: isRefusal },
    build: (ctx) => {
      const msg = encodeClientHello(probeClientHello(ctx));
      const mangled = new Uint8Array(msg.length + 3);
      mangled.set(msg);
      const bodyLength = mangled.length - 4;
      mangled[1] = bodyLength >>> 16;
      mangled[2] = (bodyLength >>> 8) & 0xff;
      mangled[3] = bodyLength & 0xff;
      return helloRecords(mangled);
    },
  },
  {
    id: 'fallback-scsv',
    title: 'TLS_FALLBACK_SCSV with legacy_version TLS 1.1',
    section: 'RFC 7507 §3',
    // §3: "MUST respond with a fatal inappropriate_fallback alert (unless it responds with a fatal
    // protocol_version alert because the version indicated in ClientHello.client_version is unsupported)".
    // Which one applies depends on whether the server speaks TLS 1.1, which one probe cannot tell.
    expect: {
      text: 'inappropriate_fallback, or protocol_version if TLS 1.1 is unsupported',
      pass: (r) => isAlert(r, A.inappropriate_fallback, A.protocol_version),
    },
    build: (ctx) =>
      helloRecords(
        probeClientHello(ctx, {
          versions: null,
          legacyVersion: ProtocolVersion.TLSv1_1,
          suites: [...TLS12_SUITES, CipherSuite.TLS_FALLBACK_SCSV],
        }),
      ),
  },
  {
    id: 'unsupported-suites',
    title: 'Unknown and NULL cipher suites only',
    section: 'RFC 8446 §4.1.1',
    expect: {
      text: 'handshake_failure alert',
      pass: (r) => isAlert(r, A.handshake_failure),
      tolerate: (r) => isAlert(r, A.insufficient_security, A.illegal_parameter) || r.kind === 'closed',
    },
    build: (ctx) => helloRecords(probeClientHello(ctx, { suites: [UNKNOWN_SUITE, 0x0001, 0x0002] })),
  },
  {
    id: 'duplicate-extension',
    title: 'supported_groups twice',
    section: 'RFC 8446 §4.2',
    expect: {
      text: 'fatal alert (illegal_parameter or decode_error)',
      pass: (r) => isAlert(r, A.illegal_parameter, A.decode_error),
      tolerate: isRefusal,
    },
    build: (ctx) =>
      helloRecords(
        probeClientHello(ctx, {
          extra: [ext(ExtensionType.supported_groups, encodeSupportedGroups([NamedGroup.x25519]))],
        }),
      ),
  },
  {
    id: 'compression-deflate',
    title: 'TLS 1.3 ClientHello with compression methods [DEFLATE, null]',
    section: 'RFC 8446 §4.1.2',
    expect: { text: 'illegal_parameter alert', pass: (r) => isAlert(r, A.illegal_parameter), tolerate: isRefusal },
    build: (ctx) => helloRecords(probeClientHello(ctx, { compression: [1, 0] })),
  },
];

// --- reading the answer ----------------------------------------------------------------------------

/**
 * Reads the server's first answer incrementally: `push` bytes as they arrive until it returns a
 * response; call `end` when the connection closes or the caller's time limit passes. Records are read
 * in plaintext (the server's first flight before any keys), so no secrets are involved.
 */
export class ProbeResponseReader {
  private buffer = new Uint8Array(0);
  private readonly handshake = new HandshakeDefragmenter();
  private decided: ProbeResponse | undefined;

  push(bytes: Uint8Array): ProbeResponse | undefined {
    if (this.decided !== undefined) return this.decided;
    const joined = new Uint8Array(this.buffer.length + bytes.length);
    joined.set(this.buffer);
    joined.set(bytes, this.buffer.length);
    this.buffer = joined;
    this.decided = this.scan();
    return this.decided;
  }

  end(reason: 'eof' | 'reset' | 'timeout', detail: string = reason): ProbeResponse {
    if (this.decided !== undefined) return this.decided;
    if (reason === 'timeout') return { kind: 'timeout' };
    if (this.buffer.length > 0 && this.buffer.length < RECORD_HEADER_LENGTH) {
      return { kind: 'garbage', detail: `${this.buffer.length} bytes, then ${detail}` };
    }
    return { kind: 'closed', detail };
  }

  private scan(): ProbeResponse | undefined {
    let at = 0;
    const buf = this.buffer;
    for (;;) {
      let header: ReturnType<typeof parseRecordHeader>;
      try {
        header = parseRecordHeader(buf, at, 0xffff);
      } catch (e) {
        return { kind: 'garbage', detail: e instanceof SSLError ? e.strerror : String(e) };
      }
      if (header === undefined) break;
      if (!ContentType.isKnown(header.type) || header.version >> 8 !== 3) {
        const text = String.fromCharCode(...buf.subarray(at, Math.min(buf.length, at + 16))).replace(
          /[^\x20-\x7e]/g,
          '.',
        );
        return { kind: 'garbage', detail: `not a TLS record: "${text}"` };
      }
      const end = at + RECORD_HEADER_LENGTH + header.length;
      if (end > buf.length) break;
      const fragment = buf.subarray(at + RECORD_HEADER_LENGTH, end);
      at = end;
      if (header.type === ContentType.alert) {
        if (fragment.length !== 2) return { kind: 'garbage', detail: `alert record of ${fragment.length} bytes` };
        return { kind: 'alert', level: fragment[0]!, description: fragment[1]! };
      }
      if (header.type !== ContentType.handshake) {
        return { kind: 'garbage', detail: `${ContentType.nameOf(header.type)} record before any ServerHello` };
      }
      try {
        this.handshake.push(fragment);
        const message = this.handshake.next();
        if (message === undefined) continue;
        if (message.type !== HandshakeType.server_hello) {
          return { kind: 'garbage', detail: `${HandshakeType.nameOf(message.type)} instead of a ServerHello` };
        }
        return classifyServerHello(message.body);
      } catch (e) {
        return { kind: 'garbage', detail: e instanceof SSLError ? e.strerror : String(e) };
      }
    }
    this.buffer = buf.slice(at);
    return undefined;
  }
}

/** A ServerHello / HelloRetryRequest body → version, suite, group, downgrade sentinel, deviations. */
export function classifyServerHello(body: Uint8Array): ProbeResponse {
  const { list, collect } = deviationList();
  const hello = parseServerHello(body, collect);
  const sv = findExtension(hello.extensions, ExtensionType.supported_versions);
  const ks = findExtension(hello.extensions, ExtensionType.key_share);
  let version = hello.legacyVersion;
  let group: number | undefined;
  try {
    if (sv !== undefined) version = parseSupportedVersionsServerHello(sv.body);
    if (ks !== undefined) {
      group =
        hello.kind === 'hello_retry_request'
          ? parseKeyShareHelloRetryRequest(ks.body)
          : parseKeyShareServerHello(ks.body).group;
    }
  } catch (e) {
    if (!(e instanceof SSLError)) throw e;
    collect({
      section: 'RFC 8446 §4.2',
      message: e.strerror,
      alert: e.alert ?? 50,
      reason: e.reason ?? 'DECODE_ERROR',
    });
  }
  return {
    kind: hello.kind,
    version,
    suite: hello.cipherSuite,
    group,
    downgrade: hello.kind === 'server_hello' ? downgradeSentinel(hello.random) : undefined,
    deviations: list,
  };
}

/** pass: what the RFC requires; ok: tolerated; FAIL: anything else; n/a: no answer in time. */
export function judgeProbe(probe: Probe, response: ProbeResponse): ProbeVerdict {
  if (response.kind === 'timeout') return 'n/a';
  if (probe.expect.pass(response)) return 'pass';
  if (probe.expect.tolerate?.(response)) return 'ok';
  return 'FAIL';
}

/** One-line description of an answer, for the table. */
export function describeResponse(r: ProbeResponse): { answer: string; version: string; group: string; suite: string } {
  switch (r.kind) {
    case 'server_hello':
    case 'hello_retry_request':
      return {
        answer:
          r.kind === 'server_hello'
            ? r.downgrade
              ? `ServerHello (DOWNGRD ${r.downgrade})`
              : 'ServerHello'
            : 'HelloRetryRequest',
        version: versionName(r.version),
        group: r.group === undefined ? '-' : NamedGroup.nameOf(r.group),
        suite: CipherSuite.nameOf(r.suite),
      };
    case 'alert':
      return {
        answer: `alert ${AlertDescription.nameOf(r.description)}(${r.description})${r.level === AlertLevel.fatal ? '' : ` level ${r.level}`}`,
        version: '-',
        group: '-',
        suite: '-',
      };
    case 'closed':
      return { answer: `closed (${r.detail})`, version: '-', group: '-', suite: '-' };
    case 'timeout':
      return { answer: 'no answer (timeout)', version: '-', group: '-', suite: '-' };
    case 'garbage':
      return { answer: `garbage: ${r.detail}`, version: '-', group: '-', suite: '-' };
  }
}

function versionName(version: number): string {
  const name = ProtocolVersion.nameOf(version);
  return name.startsWith('TLSv') ? name.replace('_', '.') : name;
}
