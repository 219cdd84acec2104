/**
 * The TLS 1.2 client handshake (RFC 5246 §7.3), entered when the ServerHello selects TLS 1.2:
 *
 * ```
 * full:    ClientHello ─▶ ServerHello ─▶ Certificate ─▶ ServerKeyExchange ─▶ [CertificateRequest]
 *          ─▶ ServerHelloDone ─▶ ([Certificate], ClientKeyExchange, [CertificateVerify], CCS, Finished)
 *          ─▶ [NewSessionTicket] ─▶ CCS ─▶ Finished ─▶ Connected
 * resumed: ClientHello ─▶ ServerHello (our session ID echoed) ─▶ [NewSessionTicket] ─▶ CCS ─▶ Finished
 *          ─▶ (CCS, Finished) ─▶ Connected
 * ```
 *
 * The ClientHello is the TLS 1.3 one extended by {@link extendClientHelloForTls12} (or a TLS 1.2-only
 * one from {@link startTls12Client} when TLS 1.3 is disabled). Security rules checked here: the RFC 8446
 * §4.1.3 downgrade sentinel, RFC 5746 secure renegotiation (a server without renegotiation_info is
 * refused, as OpenSSL 3 does), RFC 7627 extended master secret (required by default, and consistent on
 * resumption, §5.3), RFC 7919 groups only for DHE, and every signature and Finished check.
 * @module
 */
import { type SSLError, toHex } from '@sanstls/x509';
import { tlsFailure } from '../alerts.js';
import { type Tls12Suite, tls12SuiteByCode } from '../cipher-string.js';
import { ClientCertificateType, ExtensionType, HandshakeType, NamedGroup } from '../codec/enums.js';
import {
  EMPTY_EXTENSION_BODY,
  type Extension,
  encodeAlpn,
  encodeEcPointFormats,
  encodeRenegotiationInfo,
  encodeServerNameHost,
  encodeSignatureAlgorithms,
  encodeSupportedGroups,
  encodeSupportedVersionsClientHello,
  findExtension,
  parseAlpnServer,
  parseEcPointFormats,
  parseEmptyExtension,
  parseRenegotiationInfo,
  parseSignatureAlgorithms,
  parseSupportedGroups,
  unsolicitedExtension,
} from '../codec/extensions.js';
import type { HandshakeMessage } from '../codec/handshake-buffer.js';
import {
  type ClientHello,
  downgradeSentinel,
  encodeCertificateTls12,
  encodeCertificateVerify,
  encodeClientHello,
  encodeClientKeyExchange,
  encodeFinished,
  type ParsedServerKeyExchange,
  parseCertificateRequestTls12,
  parseCertificateTls12,
  parseEmptyMessage,
  parseFinished,
  parseNewSessionTicketTls12,
  parseServerHello,
  parseServerKeyExchange,
  type ServerHello,
} from '../codec/messages.js';
import { FFDHE_PRIMES } from '../crypto/ffdhe.js';
import type { GroupName } from '../crypto/provider.js';
import { TranscriptHash } from '../crypto/transcript.js';
import { chainsMatchingAuthorities, choosePreferring } from '../handshake/certificate-selection.js';
import {
  asciiBytes,
  bytesEqual,
  bytesToAscii,
  completeKeyShare,
  generateKeyShares,
  type Suspended,
  verifyServerSignature,
  whenReady,
} from '../handshake/common.js';
import type { CertifiedKey } from '../handshake/config.js';
import { clientStatusRequestExtension, deliverOcspResponse, parseStapledResponse } from '../handshake/ocsp.js';
import { authenticatePeer, isIpLiteral, type PeerCertificate } from '../handshake/peer-certificate.js';
import { acceptRecordSizeLimit, clientRecordSizeLimitExtension } from '../handshake/record-size-limit.js';
import {
  certificateVerifyInput,
  checkTls12Finished,
  chooseTls12Scheme,
  deriveMasterSecret,
  deriveRecordProtection,
  keyFitsSuite,
  nowSeconds,
  recordTls12Message,
  restoredPeer,
  serverKeyExchangeContent,
  TLS12_ONLY_SIGNATURE_SCHEMES,
  type Tls12Established,
  type Tls12Io,
  tls12OfferedSchemes,
  tls12SignatureAlgorithm,
  tls12VerifyData,
} from '../handshake/tls12.js';
import type { Tls12RecordProtection } from '../record/protection12.js';
import type { Tls12ClientSession, Tls12SessionState } from '../session12.js';

const TLS12 = 0x0303;
const TLS13 = 0x0304;

/** What the ClientHello committed us to (shared by the TLS 1.3 path, which builds it). */
export interface Tls12ClientHelloSent {
  readonly hello: ClientHello;
  readonly transcript: TranscriptHash;
  readonly serverHostname: string | null;
}

/** Per-handshake facts accumulated from ServerHello on. */
interface Handshake12 {
  readonly suite: Tls12Suite;
  readonly hello: ClientHello;
  readonly clientRandom: Uint8Array;
  readonly serverRandom: Uint8Array;
  readonly transcript: TranscriptHash;
  /**
   * Raw handshake messages so far: a TLS 1.2 CertificateVerify signs them all (RFC 5246 §7.4.8). Kept only
   * when we could send one — a full handshake with a client certificate configured; null otherwise (a
   * resumption, or no certificate: an empty Certificate answers a request), so the ClientHello is not
   * encoded again nor each message copied for nothing (issue #9).
   */
  readonly messages: Uint8Array[] | null;
  readonly serverHostname: string | null;
  readonly extendedMasterSecret: boolean;
  readonly expectTicket: boolean;
  readonly sessionId: Uint8Array;
  readonly alpn: string | null;
  /** The ServerHello acknowledged status_request: a CertificateStatus may follow Certificate (RFC 6066 §8). */
  readonly expectStatus: boolean;
}

interface ServerKeyShare {
  readonly group: GroupName;
  readonly publicValue: Uint8Array;
}

interface CertRequest12 {
  readonly types: readonly number[];
  readonly schemes: readonly number[];
  /** DER names of the CAs the server accepts (RFC 5246 §7.4.4), a preference among our chains. */
  readonly authorities: readonly Uint8Array[];
}

interface Keys12 {
  readonly masterSecret: Uint8Array;
  readonly read: Tls12RecordProtection;
  readonly clientVerifyData: Uint8Array;
}

export type Tls12ClientState =
  | { readonly kind: 'Tls12ExpectCertificate'; readonly hs: Handshake12 }
  | {
      readonly kind: 'Tls12ExpectServerKeyExchange';
      readonly hs: Handshake12;
      readonly peer: PeerCertificate;
      /** The CertificateStatus arrived (or cannot any more). */
      readonly statusDone?: boolean;
    }
  | {
      readonly kind: 'Tls12ExpectCertificateRequestOrDone';
      readonly hs: Handshake12;
      readonly peer: PeerCertificate;
      readonly share: ServerKeyShare;
    }
  | {
      readonly kind: 'Tls12ExpectServerHelloDone';
      readonly hs: Handshake12;
      readonly peer: PeerCertificate;
      readonly share: ServerKeyShare;
      readonly request: CertRequest12;
    }
  | {
      readonly kind: 'Tls12ExpectNewSessionTicket';
      readonly hs: Handshake12;
      readonly keys: Keys12;
      readonly resumed: ResumedFrom | null;
      readonly peer: PeerCertificate | null;
    }
  | {
      readonly kind: 'Tls12ExpectChangeCipherSpec';
      readonly hs: Handshake12;
      readonly keys: Keys12;
      readonly resumed: ResumedFrom | null;
      readonly peer: PeerCertificate | null;
      readonly ticket: Ticket | null;
    }
  | {
      readonly kind: 'Tls12ExpectFinished';
      readonly hs: Handshake12;
      readonly keys: Keys12;
      readonly resumed: ResumedFrom | null;
      readonly peer: PeerCertificate | null;
      readonly ticket: Ticket | null;
    }
  | { readonly kind: 'Connected'; readonly tls12: true }
  | Suspended<Tls12ClientState>;

interface ResumedFrom {
  readonly session: Tls12ClientSession;
  readonly write: Tls12RecordProtection;
}

interface Ticket {
  readonly ticket: Uint8Array;
  readonly lifetimeHint: number;
}

// ---------------------------------------------------------------------------------------------
// ClientHello (RFC 5246 §7.4.1.2)

/** The TLS 1.2 session the caller offers, when it is usable (not expired, suite still offered). */
function offeredSession12(io: Tls12Io): Tls12ClientSession | undefined {
  const session = io.offeredSession?.tls12;
  if (session === undefined) return undefined;
  const now = nowSeconds(io);
  if (now >= session.state.time + session.state.timeout || now < session.state.time) return undefined;
  if (!io.config.tls12.suites.some((s) => s.code === session.state.suiteCode)) return undefined;
  return session;
}

/**
 * Adds TLS 1.2 to a ClientHello (called by the TLS 1.3 client before it encodes the hello, and by
 * {@link startTls12Client}): the suites, TLS 1.2 in supported_versions, PKCS #1 signatures,
 * ec_point_formats (RFC 8422 §5.1.2), extended_master_secret (RFC 7627 §5.1), an empty
 * renegotiation_info (RFC 5746 §3.4), session_ticket (RFC 5077 §3.2, unless OP_NO_TICKET) and the
 * session to resume.
 */
export function extendClientHelloForTls12(hello: ClientHello, io: Tls12Io): void {
  const { config } = io;
  const tls12 = config.tls12;
  hello.cipherSuites = [...hello.cipherSuites, ...tls12.suites.map((s) => s.code)];
  const replace = (type: number, body: Uint8Array) => {
    const at = hello.extensions.findIndex((e) => e.type === type);
    if (at >= 0) hello.extensions[at] = { type, body };
    else hello.extensions.push({ type, body });
  };
  replace(
    ExtensionType.supported_versions,
    encodeSupportedVersionsClientHello(config.tls13Enabled ? [TLS13, TLS12] : [TLS12]),
  );
  const sigExt = findExtension(hello.extensions, ExtensionType.signature_algorithms);
  const schemes = sigExt === undefined ? tls12OfferedSchemes(config) : parseSignatureAlgorithms(sigExt.body);
  for (const s of TLS12_ONLY_SIGNATURE_SCHEMES) if (!schemes.includes(s)) schemes.push(s);
  replace(ExtensionType.signature_algorithms, encodeSignatureAlgorithms(schemes));
  if (tls12.dheGroups.length > 0) {
    // RFC 7919 §3: FFDHE groups in supported_groups tell the server which DHE groups we accept.
    const groupsExt = findExtension(hello.extensions, ExtensionType.supported_groups);
    const groups = groupsExt === undefined ? [] : parseSupportedGroups(groupsExt.body);
    for (const g of tls12.dheGroups) if (!groups.includes(NamedGroup[g])) groups.push(NamedGroup[g]);
    replace(ExtensionType.supported_groups, encodeSupportedGroups(groups));
  }
  replace(ExtensionType.ec_point_formats, encodeEcPointFormats([0]));
  replace(ExtensionType.extended_master_secret, EMPTY_EXTENSION_BODY);
  replace(ExtensionType.renegotiation_info, encodeRenegotiationInfo(new Uint8Array(0)));
  const session = offeredSession12(io);
  if (tls12.ticketsEnabled) {
    replace(ExtensionType.session_ticket, session?.ticket ?? EMPTY_EXTENSION_BODY);
  }
  if (session !== undefined) {
    if (session.ticket !== null && tls12.ticketsEnabled) {
      // RFC 5077 §3.4: with a ticket the client MAY generate a session ID to recognise acceptance.
      if (hello.legacySessionId.length === 0) hello.legacySessionId = config.randomBytes(32);
    } else if (session.sessionId.length > 0) {
      hello.legacySessionId = session.sessionId;
    }
  }
  // pre_shared_key must stay last (RFC 8446 §4.2.11): keep it at the end if the TLS 1.3 client added one.
  const psk = hello.extensions.findIndex((e) => e.type === ExtensionType.pre_shared_key);
  if (psk >= 0 && psk !== hello.extensions.length - 1) {
    const [ext] = hello.extensions.splice(psk, 1);
    hello.extensions.push(ext!);
  }
}

/** A TLS 1.2-only ClientHello (TLS 1.3 disabled by minimumVersion/maximumVersion/OP_NO_TLSv1_3). */
export function startTls12Client(io: Tls12Io, serverHostname: string | null): Tls12ClientStart {
  const { config } = io;
  const random = config.randomBytes(32);
  io.clientRandom = random;
  const extensions: Extension[] = [];
  // RFC 6066 §3: no IP literals in server_name.
  if (serverHostname !== null && serverHostname !== '' && !isIpLiteral(serverHostname)) {
    extensions.push({ type: ExtensionType.server_name, body: encodeServerNameHost(serverHostname) });
  }
  const groups = config.groups.filter((g) => g !== 'X25519MLKEM768').map((g) => NamedGroup[g]);
  extensions.push({ type: ExtensionType.supported_groups, body: encodeSupportedGroups(groups) });
  if (config.alpnProtocols.length > 0) {
    extensions.push({
      type: ExtensionType.application_layer_protocol_negotiation,
      body: encodeAlpn(config.alpnProtocols.map(asciiBytes)),
    });
  }
  // RFC 6066 §8 and RFC 8449 §4, when configured (the TLS 1.3 ClientHello adds the same ones).
  for (const ext of [clientStatusRequestExtension(config), clientRecordSizeLimitExtension(config)]) {
    if (ext !== undefined) extensions.push(ext);
  }
  const hello: ClientHello = {
    legacyVersion: TLS12,
    random,
    legacySessionId: new Uint8Array(0),
    cipherSuites: [],
    legacyCompressionMethods: [0],
    extensions,
  };
  extendClientHelloForTls12(hello, io);
  if (hello.cipherSuites.length === 0) throw tlsFailure('NO_CIPHER_MATCH', 'no TLS 1.2 cipher suites enabled');
  const message = encodeClientHello(hello);
  const transcript = new TranscriptHash();
  transcript.update(message);
  io.sendHandshake(message, 0x0301);
  io.negotiated.serverName = serverHostname;
  return { kind: 'Tls12ExpectServerHello', sent: { hello, transcript, serverHostname } };
}

export type Tls12ClientStart = { readonly kind: 'Tls12ExpectServerHello'; readonly sent: Tls12ClientHelloSent };

// ---------------------------------------------------------------------------------------------
// Dispatch

/** Is this ServerHello one that selects TLS 1.2 or older (no supported_versions, RFC 8446 §4.2.1)? */
export function isLegacyServerHello(message: HandshakeMessage): boolean {
  if (message.type !== HandshakeType.server_hello) return false;
  const sh = parseServerHello(message.body);
  return sh.kind === 'server_hello' && findExtension(sh.extensions, ExtensionType.supported_versions) === undefined;
}

export function tls12ClientHandle(
  state: Tls12ClientState | Tls12ClientStart,
  message: HandshakeMessage,
  io: Tls12Io,
): Tls12ClientState {
  switch (state.kind) {
    case 'Tls12ExpectServerHello':
      expect(message, HandshakeType.server_hello, state.kind);
      return onServerHello(state.sent, message, io);
    case 'Tls12ExpectCertificate':
      expect(message, HandshakeType.certificate, state.kind);
      return onCertificate(state, message, io);
    case 'Tls12ExpectServerKeyExchange':
      // RFC 6066 §8: CertificateStatus "immediately after the Certificate message", only when the
      // ServerHello acknowledged status_request; the server may still omit it.
      if (message.type === HandshakeType.certificate_status && state.hs.expectStatus && state.statusDone !== true) {
        return onCertificateStatus(state, message, io);
      }
      expect(message, HandshakeType.server_key_exchange, state.kind);
      return onServerKeyExchange(state, message, io);
    case 'Tls12ExpectCertificateRequestOrDone':
      if (message.type === HandshakeType.certificate_request) return onCertificateRequest(state, message);
      expect(message, HandshakeType.server_hello_done, state.kind);
      return onServerHelloDone({ ...state, kind: 'Tls12ExpectServerHelloDone', request: null }, message, io);
    case 'Tls12ExpectServerHelloDone':
      expect(message, HandshakeType.server_hello_done, state.kind);
      return onServerHelloDone(state, message, io);
    case 'Tls12ExpectNewSessionTicket':
      expect(message, HandshakeType.new_session_ticket, state.kind);
      return onNewSessionTicket(state, message);
    case 'Tls12ExpectFinished':
      expect(message, HandshakeType.finished, state.kind);
      return onFinished(state, message, io);
    case 'Tls12ExpectChangeCipherSpec':
    case 'Connected':
    case 'Suspended':
      throw unexpected(message, state.kind);
  }
}

/** The server's ChangeCipherSpec (RFC 5246 §7.1): switches the read side to the pending keys. */
export function tls12ClientChangeCipherSpec(state: Tls12ClientState | Tls12ClientStart, io: Tls12Io): Tls12ClientState {
  if (state.kind !== 'Tls12ExpectChangeCipherSpec') {
    throw tlsFailure('UNEXPECTED_CCS_MESSAGE', `unexpected change_cipher_spec in client state ${state.kind}`);
  }
  io.installTls12ReadProtection(state.keys.read);
  return { ...state, kind: 'Tls12ExpectFinished' };
}

function expect(message: HandshakeMessage, type: number, stateName: string): void {
  if (message.type !== type) throw unexpected(message, stateName);
}

function unexpected(message: HandshakeMessage, stateName: string): SSLError {
  return tlsFailure(
    'UNEXPECTED_MESSAGE',
    `unexpected message: ${HandshakeType.nameOf(message.type)} in TLS 1.2 client state ${stateName}`,
  );
}

// ---------------------------------------------------------------------------------------------
// ServerHello (RFC 5246 §7.4.1.3)

/** Handles a ServerHello that selects TLS 1.2 (from the TLS 1.3 client's ExpectServerHello or our own start). */
export function onServerHello(sent: Tls12ClientHelloSent, message: HandshakeMessage, io: Tls12Io): Tls12ClientState {
  const { config } = io;
  const sh = parseServerHello(message.body) as ServerHello;
  const offered13 = sent.hello.cipherSuites.some((c) => c >>> 8 === 0x13);
  if (sh.legacyVersion !== TLS12 || !config.tls12Enabled) {
    throw tlsFailure(
      'UNSUPPORTED_PROTOCOL',
      `unsupported protocol: server chose version 0x${sh.legacyVersion.toString(16)}`,
    );
  }
  // RFC 8446 §4.1.3: "TLS 1.3 clients receiving a ServerHello indicating TLS 1.2 or below MUST check that
  // the last 8 bytes are not equal to either of these values ... If a match is found, the client MUST
  // abort the handshake with an "illegal_parameter" alert."
  if (offered13 && downgradeSentinel(sh.random) !== undefined) {
    throw tlsFailure('TLS13_DOWNGRADE', 'downgrade sentinel in a TLS 1.2 ServerHello from a TLS 1.3 server');
  }
  const suite = tls12SuiteByCode(sh.cipherSuite);
  if (suite === undefined || !sent.hello.cipherSuites.includes(sh.cipherSuite)) {
    throw tlsFailure('WRONG_CIPHER_RETURNED', 'server chose a cipher suite we did not offer');
  }
  if (sh.legacyCompressionMethod !== 0)
    throw tlsFailure('INVALID_COMPRESSION_ALGORITHM', 'compression method is not null');

  // RFC 5246 §7.4.1.4: an extension we did not offer → unsupported_extension.
  let renegotiationInfo = false;
  let ems = false;
  let expectTicket = false;
  let alpn: string | null = null;
  let expectStatus = false;
  for (const ext of sh.extensions) {
    if (findExtension(sent.hello.extensions, ext.type) === undefined) throw unsolicitedExtension('SH', ext.type);
    switch (ext.type) {
      case ExtensionType.renegotiation_info:
        // RFC 5746 §3.4: on the initial handshake renegotiated_connection MUST be empty, else handshake_failure.
        if (parseRenegotiationInfo(ext.body).length !== 0) {
          throw tlsFailure('RENEGOTIATION_MISMATCH', 'renegotiation_info is not empty on the initial handshake');
        }
        renegotiationInfo = true;
        break;
      case ExtensionType.extended_master_secret:
        parseEmptyExtension(ext.body, 'extended_master_secret');
        ems = true;
        break;
      case ExtensionType.session_ticket:
        parseEmptyExtension(ext.body, 'session_ticket'); // RFC 5077 §3.2: empty in ServerHello
        expectTicket = true;
        break;
      case ExtensionType.ec_point_formats:
        // RFC 8422 §5.2: uncompressed points must be supported by both sides.
        if (!parseEcPointFormats(ext.body).includes(0)) {
          throw tlsFailure('ILLEGAL_PARAMETER', 'server does not support uncompressed EC points');
        }
        break;
      case ExtensionType.server_name:
        parseEmptyExtension(ext.body, 'server_name');
        break;
      case ExtensionType.application_layer_protocol_negotiation: {
        const chosen = bytesToAscii(parseAlpnServer(ext.body));
        if (!config.alpnProtocols.includes(chosen)) {
          throw tlsFailure('INVALID_ALPN_PROTOCOL', 'server selected an ALPN protocol we did not offer');
        }
        alpn = chosen;
        break;
      }
      case ExtensionType.status_request:
        // RFC 6066 §8: the server's status_request is empty; a CertificateStatus may follow Certificate.
        parseEmptyExtension(ext.body, 'status_request');
        expectStatus = true;
        break;
      case ExtensionType.record_size_limit:
        // RFC 8449 §4: both limits apply to the protected records after ChangeCipherSpec.
        acceptRecordSizeLimit(ext.body, config, 'TLSv1.2', io);
        break;
      default:
        // Extensions of TLS 1.3 only (key_share, pre_shared_key, …) make no sense in a TLS 1.2 ServerHello.
        throw tlsFailure('BAD_EXTENSION', `${ExtensionType.nameOf(ext.type)} in a TLS 1.2 ServerHello`);
    }
  }
  // RFC 5746 §4.1/§4.3: without renegotiation_info the server may be vulnerable; OpenSSL 3 refuses it.
  if (!renegotiationInfo) {
    throw tlsFailure('UNSAFE_LEGACY_RENEGOTIATION_DISABLED', 'server does not support secure renegotiation (RFC 5746)');
  }

  sent.transcript.selectHash(config.provider.hash(suite.hash));
  sent.transcript.update(message.raw);
  // Resumption (RFC 5246 §7.4.1.3, RFC 5077 §3.4): the server echoes the session ID we offered.
  const session = offeredSession12(io);
  const resuming =
    session !== undefined &&
    sent.hello.legacySessionId.length > 0 &&
    bytesEqual(sh.legacySessionIdEcho, sent.hello.legacySessionId);
  const hs: Handshake12 = {
    suite,
    hello: sent.hello,
    clientRandom: sent.hello.random,
    serverRandom: sh.random.slice(),
    transcript: sent.transcript,
    messages: !resuming && config.certificates.length > 0 ? [encodeClientHello(sent.hello), message.raw.slice()] : null,
    serverHostname: sent.serverHostname,
    extendedMasterSecret: ems,
    expectTicket,
    sessionId: sh.legacySessionIdEcho.slice(),
    alpn,
    expectStatus,
  };
  Object.assign(io.negotiated, { version: 'TLSv1.2', suite, alpn });
  if (resuming) return resume(hs, session, io);
  // RFC 7627 §5.2: a client that requires EMS aborts a full handshake without it (handshake_failure).
  if (!ems && config.tls12.requireExtendedMasterSecret) {
    throw tlsFailure(
      'EXTENDED_MASTER_SECRET_REQUIRED',
      'server did not negotiate the extended master secret (RFC 7627)',
    );
  }
  return { kind: 'Tls12ExpectCertificate', hs };
}

function resume(hs: Handshake12, session: Tls12ClientSession, io: Tls12Io): Tls12ClientState {
  const state = session.state;
  // RFC 5246 §7.4.1.3: a resumed session keeps its cipher suite.
  if (state.suiteCode !== hs.suite.code) {
    throw tlsFailure('ILLEGAL_PARAMETER', 'resumed session with a different cipher suite');
  }
  // RFC 7627 §5.3: EMS use must match the original session (handshake_failure).
  if (state.extendedMasterSecret !== hs.extendedMasterSecret) {
    throw tlsFailure('INCONSISTENT_EXTMS', 'extended master secret use differs from the resumed session');
  }
  const protection = deriveRecordProtection(io, hs.suite, state.masterSecret, hs.clientRandom, hs.serverRandom);
  const keys: Keys12 = {
    masterSecret: state.masterSecret,
    read: protection.server,
    clientVerifyData: new Uint8Array(0),
  };
  const resumed: ResumedFrom = { session, write: protection.client };
  io.keylog('CLIENT_RANDOM', state.masterSecret);
  // Python's getpeercert() after resumption: the certificate of the original handshake.
  const peer = restoredPeer(state);
  if (peer !== null) io.negotiated.peerCertificate = peer;
  return hs.expectTicket
    ? { kind: 'Tls12ExpectNewSessionTicket', hs, keys, resumed, peer }
    : { kind: 'Tls12ExpectChangeCipherSpec', hs, keys, resumed, peer, ticket: null };
}

// ---------------------------------------------------------------------------------------------
// Certificate, ServerKeyExchange, CertificateRequest, ServerHelloDone (RFC 5246 §7.4.2–§7.4.5)

function onCertificate(
  state: Extract<Tls12ClientState, { kind: 'Tls12ExpectCertificate' }>,
  message: HandshakeMessage,
  io: Tls12Io,
): Tls12ClientState {
  const certificate = parseCertificateTls12(message.body);
  if (certificate.certificateList.length === 0)
    throw tlsFailure('NO_CERTIFICATES_RETURNED', 'server sent no certificate');
  recordTls12Message(state.hs, message);
  const verified = authenticatePeer({
    config: io.config,
    chain: certificate.certificateList.map((c) => c.slice()),
    peerRole: 'server',
    serverHostname: state.hs.serverHostname,
    signatureCache: io.signatureCache,
  });
  return whenReady(verified, 'verifyPeerCertificate', (peer): Tls12ClientState => {
    // RFC 5246 §7.4.2: the certificate's key must fit the suite's authentication algorithm.
    if (!keyFitsSuite(peer.publicKey, state.hs.suite)) {
      throw tlsFailure('UNSUPPORTED_CERTIFICATE_TYPE', 'server certificate key does not fit the cipher suite');
    }
    io.negotiated.peerCertificate = peer;
    return { kind: 'Tls12ExpectServerKeyExchange', hs: state.hs, peer };
  });
}

function onServerKeyExchange(
  state: Extract<Tls12ClientState, { kind: 'Tls12ExpectServerKeyExchange' }>,
  message: HandshakeMessage,
  io: Tls12Io,
): Tls12ClientState {
  const { hs } = state;
  const { config } = io;
  // RFC 6066 §8: no CertificateStatus came; the application learns that nothing was stapled.
  if (state.statusDone !== true) deliverOcspResponse(config, io.negotiated, null, state.peer.chain);
  const ske: ParsedServerKeyExchange = parseServerKeyExchange(message.body, hs.suite.kx === 'ECDHE' ? 'ecdhe' : 'dhe');
  let share: ServerKeyShare;
  if (ske.kind === 'ecdhe') {
    // RFC 8422 §5.4: the curve must be one the client offered.
    const group = config.groups.find((g) => g !== 'X25519MLKEM768' && NamedGroup[g] === ske.namedCurve);
    if (group === undefined || config.provider.group(group) === undefined) {
      throw tlsFailure('WRONG_CURVE', 'ServerKeyExchange uses a curve we did not offer');
    }
    share = { group, publicValue: ske.publicPoint.slice() };
  } else {
    // RFC 7919 §4: only the named FFDHE groups, recognised by their prime, with generator 2.
    const prime = toHex(stripZeros(ske.p));
    const group = (Object.keys(FFDHE_PRIMES) as (keyof typeof FFDHE_PRIMES)[]).find((g) => FFDHE_PRIMES[g] === prime);
    if (
      group === undefined ||
      !config.tls12.dheGroups.includes(group) ||
      !(ske.g.length >= 1 && stripZeros(ske.g).length === 1 && stripZeros(ske.g)[0] === 2)
    ) {
      throw tlsFailure('INSUFFICIENT_SECURITY', 'server DHE parameters are not an enabled RFC 7919 group');
    }
    share = { group, publicValue: ske.ys.slice() };
  }
  const content = serverKeyExchangeContent(hs.clientRandom, hs.serverRandom, ske.params);
  const scheme = ske.signature.algorithm;
  const algorithm = tls12SignatureAlgorithm(tls12OfferedSchemes(config), state.peer.publicKey, scheme);
  // Kept messages are copies: a provider answering with a promise parks the handshake (verifyServerSignature).
  recordTls12Message(hs, message);
  return verifyServerSignature(
    config.provider,
    algorithm,
    state.peer.publicKey,
    content,
    ske.signature.signature,
    () => {
      io.negotiated.peerSignatureScheme = scheme;
      io.negotiated.group = share.group;
      return { kind: 'Tls12ExpectCertificateRequestOrDone', hs, peer: state.peer, share };
    },
  );
}

/** RFC 6066 §8: the stapled OCSP response. */
function onCertificateStatus(
  state: Extract<Tls12ClientState, { kind: 'Tls12ExpectServerKeyExchange' }>,
  message: HandshakeMessage,
  io: Tls12Io,
): Tls12ClientState {
  const response = parseStapledResponse(message.body);
  recordTls12Message(state.hs, message);
  deliverOcspResponse(io.config, io.negotiated, response, state.peer.chain);
  return { ...state, statusDone: true };
}

function onCertificateRequest(
  state: Extract<Tls12ClientState, { kind: 'Tls12ExpectCertificateRequestOrDone' }>,
  message: HandshakeMessage,
): Tls12ClientState {
  const request = parseCertificateRequestTls12(message.body);
  recordTls12Message(state.hs, message);
  return {
    ...state,
    kind: 'Tls12ExpectServerHelloDone',
    request: {
      types: request.certificateTypes,
      schemes: request.supportedSignatureAlgorithms,
      authorities: request.certificateAuthorities.map((n) => n.slice()),
    },
  };
}

/** The chain to answer a CertificateRequest with (RFC 5246 §7.4.6), or undefined for an empty Certificate. */
function chooseClientCertificate(
  keys: readonly CertifiedKey[],
  request: CertRequest12,
): { key: CertifiedKey; scheme: number } | undefined {
  // RFC 5246 §7.4.4: certificate_authorities names the CAs the server accepts; a chain under one of them
  // is preferred, any fitting chain is the fallback.
  const preferred = chainsMatchingAuthorities(keys, request.authorities);
  return choosePreferring(keys, preferred, (candidates) => {
    for (const key of candidates) {
      const type =
        key.publicKey.kind === 'rsa' || key.publicKey.kind === 'rsa-pss'
          ? ClientCertificateType.rsa_sign
          : ClientCertificateType.ecdsa_sign;
      if (!request.types.includes(type)) continue;
      const scheme = chooseTls12Scheme(request.schemes, key.publicKey);
      if (scheme !== undefined) return { key, scheme };
    }
    return undefined;
  });
}

function onServerHelloDone(
  state:
    | Extract<Tls12ClientState, { kind: 'Tls12ExpectServerHelloDone' }>
    | (Omit<Extract<Tls12ClientState, { kind: 'Tls12ExpectServerHelloDone' }>, 'request'> & {
        request: CertRequest12 | null;
      }),
  message: HandshakeMessage,
  io: Tls12Io,
): Tls12ClientState {
  parseEmptyMessage(message.body, HandshakeType.server_hello_done);
  const { hs } = state;
  const { config } = io;
  recordTls12Message(hs, message);
  // Client Certificate (RFC 5246 §7.4.6): an empty list when nothing fits the request.
  const choice = state.request === null ? undefined : chooseClientCertificate(config.certificates, state.request);
  if (state.request !== null) {
    const certificate = encodeCertificateTls12({ certificateList: choice === undefined ? [] : [...choice.key.chain] });
    recordTls12Message(hs, certificate);
    io.sendHandshake(certificate);
  }
  // ClientKeyExchange (RFC 8422 §5.7, RFC 5246 §7.4.7.2). An asynchronous provider (WebCrypto) parks at
  // generateKeyShare and completeKeyShare.
  const kx = config.provider.group(state.share.group)!;
  return generateKeyShares([kx], config.randomBytes, ([offer]) => {
    let peerShare = state.share.publicValue;
    if (hs.suite.kx !== 'ECDHE') {
      const pLength = offer!.publicKey.length;
      if (peerShare.length > pLength) throw tlsFailure('BAD_KEY_SHARE', 'DHE public value longer than p');
      peerShare = new Uint8Array(pLength);
      peerShare.set(state.share.publicValue, pLength - state.share.publicValue.length);
    }
    return completeKeyShare(offer!, peerShare, (secret) => {
      // RFC 5246 §8.1.2: leading zero bytes of a DHE Z are stripped before use as the pre_master_secret.
      const preMasterSecret = hs.suite.kx === 'ECDHE' ? secret : stripZeros(secret);
      return sendClientKeyExchange(state, io, choice, offer!.publicKey, preMasterSecret);
    });
  });
}

/** ClientKeyExchange, [CertificateVerify], ChangeCipherSpec and Finished, once the pre_master_secret exists. */
function sendClientKeyExchange(
  state: Pick<Extract<Tls12ClientState, { kind: 'Tls12ExpectServerHelloDone' }>, 'hs' | 'peer'>,
  io: Tls12Io,
  choice: { key: CertifiedKey; scheme: number } | undefined,
  publicKey: Uint8Array,
  preMasterSecret: Uint8Array,
): Tls12ClientState {
  const { hs } = state;
  const { config } = io;
  const cke = encodeClientKeyExchange(hs.suite.kx === 'ECDHE' ? 'ecdhe' : 'dhe', publicKey);
  recordTls12Message(hs, cke);
  io.sendHandshake(cke);
  // RFC 7627 §4: the session hash covers the messages up to and including ClientKeyExchange.
  const masterSecret = deriveMasterSecret(
    io,
    config.provider.hash(hs.suite.hash),
    preMasterSecret,
    hs.clientRandom,
    hs.serverRandom,
    hs.extendedMasterSecret,
    hs.transcript,
  );
  const finish = (): Tls12ClientState => {
    const protection = deriveRecordProtection(io, hs.suite, masterSecret, hs.clientRandom, hs.serverRandom);
    io.sendChangeCipherSpec();
    io.installTls12WriteProtection(protection.client);
    const clientVerifyData = tls12VerifyData(io, hs.suite, masterSecret, 'client', hs.transcript);
    const finished = encodeFinished({ verifyData: clientVerifyData });
    recordTls12Message(hs, finished);
    io.sendHandshake(finished);
    io.negotiated.clientFinished = clientVerifyData;
    const keys: Keys12 = { masterSecret, read: protection.server, clientVerifyData };
    return hs.expectTicket
      ? { kind: 'Tls12ExpectNewSessionTicket', hs, keys, resumed: null, peer: state.peer }
      : { kind: 'Tls12ExpectChangeCipherSpec', hs, keys, resumed: null, peer: state.peer, ticket: null };
  };
  if (choice === undefined) return finish();
  io.negotiated.localChain = choice.key.chain;
  io.negotiated.signatureScheme = choice.scheme;
  // CertificateVerify (RFC 5246 §7.4.8): a signature over all handshake messages so far.
  // hs.messages is kept whenever a certificate is configured (onServerHello).
  return whenReady(choice.key.sign(choice.scheme, certificateVerifyInput(hs)), 'signCertificateVerify', (signature) => {
    const cv = encodeCertificateVerify({ algorithm: choice.scheme, signature });
    recordTls12Message(hs, cv);
    io.sendHandshake(cv);
    return finish();
  });
}

// ---------------------------------------------------------------------------------------------
// NewSessionTicket, Finished (RFC 5077 §3.3, RFC 5246 §7.4.9)

function onNewSessionTicket(
  state: Extract<Tls12ClientState, { kind: 'Tls12ExpectNewSessionTicket' }>,
  message: HandshakeMessage,
): Tls12ClientState {
  const nst = parseNewSessionTicketTls12(message.body);
  recordTls12Message(state.hs, message);
  // RFC 5077 §3.3: an empty ticket means the server will not issue one after all.
  const ticket = nst.ticket.length === 0 ? null : { ticket: nst.ticket.slice(), lifetimeHint: nst.ticketLifetimeHint };
  return { ...state, kind: 'Tls12ExpectChangeCipherSpec', ticket };
}

function onFinished(
  state: Extract<Tls12ClientState, { kind: 'Tls12ExpectFinished' }>,
  message: HandshakeMessage,
  io: Tls12Io,
): Tls12ClientState {
  const { hs, keys } = state;
  const finished = parseFinished(message.body, 12);
  const expected = tls12VerifyData(io, hs.suite, keys.masterSecret, 'server', hs.transcript);
  checkTls12Finished(expected, finished.verifyData);
  recordTls12Message(hs, message);
  let clientVerifyData = keys.clientVerifyData;
  if (state.resumed !== null) {
    // Abbreviated handshake: our CCS and Finished follow the server's (RFC 5246 §7.3).
    io.sendChangeCipherSpec();
    io.installTls12WriteProtection(state.resumed.write);
    clientVerifyData = tls12VerifyData(io, hs.suite, keys.masterSecret, 'client', hs.transcript);
    const ours = encodeFinished({ verifyData: clientVerifyData });
    recordTls12Message(hs, ours);
    io.sendHandshake(ours);
    io.negotiated.clientFinished = clientVerifyData;
  }
  const previous = state.resumed?.session;
  const sessionState: Tls12SessionState = previous?.state ?? {
    suiteCode: hs.suite.code,
    masterSecret: keys.masterSecret,
    extendedMasterSecret: hs.extendedMasterSecret,
    time: nowSeconds(io),
    timeout: io.config.tls12.store.sessionTimeout,
    serverName: hs.serverHostname,
    alpn: hs.alpn,
    peerChain: state.peer?.chain ?? [],
    peerVerified: state.peer?.verified ?? false,
  };
  const established: Tls12Established = {
    suite: hs.suite,
    masterSecret: keys.masterSecret,
    clientRandom: hs.clientRandom,
    serverRandom: hs.serverRandom,
    extendedMasterSecret: hs.extendedMasterSecret,
    // RFC 5929 §3.1: the first Finished sent in the handshake: the client's (full), the server's (resumed).
    tlsUnique: state.resumed === null ? keys.clientVerifyData : finished.verifyData.slice(),
    clientVerifyData,
    serverVerifyData: finished.verifyData.slice(),
    resumed: state.resumed !== null,
    session: sessionState,
    sessionId: sessionIdFor(hs, state.ticket?.ticket ?? null, previous, io),
    ticket: state.ticket?.ticket ?? previous?.ticket ?? null,
    ticketLifetimeHint: state.ticket?.lifetimeHint ?? previous?.ticketLifetimeHint ?? 0,
  };
  io.enterTls12Traffic(established);
  return { kind: 'Connected', tls12: true };
}

/**
 * The session's ID as Python shows it: the server's session ID, or — when the server sent only a ticket
 * (an empty session ID) — SHA-256 of the ticket, as OpenSSL's client does (tls_process_new_session_ticket).
 */
function sessionIdFor(
  hs: Handshake12,
  ticket: Uint8Array | null,
  previous: Tls12ClientSession | undefined,
  io: Tls12Io,
): Uint8Array {
  if (previous !== undefined) return previous.sessionId;
  if (hs.sessionId.length > 0) return hs.sessionId;
  return ticket === null ? new Uint8Array(0) : io.config.provider.hash('sha256').digest(ticket);
}

// ---------------------------------------------------------------------------------------------

export function stripZeros(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return bytes.subarray(i);
}
