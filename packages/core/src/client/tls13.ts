/**
 * The TLS 1.3 client handshake (RFC 8446 §2, §4), top to bottom in the order of the protocol:
 *
 * ```
 * Start ──ClientHello──▶ ExpectServerHello ──HelloRetryRequest (once)──▶ ExpectServerHello
 *                              │ServerHello
 *                              ▼
 *                        ExpectEncryptedExtensions ─▶ ExpectCertificateOrCertificateRequest
 *                              ─▶ [ExpectCertificate] ─▶ ExpectCertificateVerify ─▶ ExpectFinished
 *                              ─▶ (second flight: [Certificate, CertificateVerify], Finished) ─▶ Connected
 *
 * Resumption (§2.2, §4.2.11): ClientHello + pre_shared_key (last, binder) [+ 0-RTT data under the early key]
 *   ─▶ ServerHello selecting the PSK ─▶ ExpectEncryptedExtensions ─▶ ExpectFinished (no certificate:
 *   the PSK authenticates) ─▶ ([EndOfEarlyData], Finished) ─▶ Connected
 * After the handshake: NewSessionTicket → a ticket for SSLSession; CertificateRequest → our answer (§4.6.2).
 * ```
 *
 * Each state names the message it expects; transitions are functions `(state, message, io) → state`.
 * Proof values ({@link PeerCertificate}, {@link SignatureVerified}, {@link FinishedVerified}) are carried
 * forward so Connected cannot be reached without the three checks. Anything else arriving is
 * unexpected_message. User callbacks answering with a Promise park the handshake (`Suspended`).
 * @module
 */

import { tlsFailure } from '../alerts.js';
import { ExtensionType, HandshakeType } from '../codec/enums.js';
import {
  checkExtensionsAllowed,
  EMPTY_EXTENSION_BODY,
  type Extension,
  encodeAlpn,
  encodeCertificateAuthorities,
  encodeCookie,
  encodeKeyShareClientHello,
  encodePreSharedKeyClientHello,
  encodePskKeyExchangeModes,
  encodeServerNameHost,
  encodeSignatureAlgorithms,
  encodeSupportedGroups,
  encodeSupportedVersionsClientHello,
  findExtension,
  parseAlpnServer,
  parseCertificateAuthorities,
  parseCookie,
  parseEarlyDataNewSessionTicket,
  parseEmptyExtension,
  parseKeyShareHelloRetryRequest,
  parseKeyShareServerHello,
  parsePreSharedKeyServerHello,
  parseSignatureAlgorithms,
  parseSupportedVersionsServerHello,
  unsolicitedExtension,
} from '../codec/extensions.js';
import type { HandshakeMessage } from '../codec/handshake-buffer.js';
import {
  type ClientHello,
  downgradeSentinel,
  encodeCertificateTls13,
  encodeCertificateVerify,
  encodeClientHello,
  encodeEndOfEarlyData,
  encodeFinished,
  type HelloRetryRequest,
  parseCertificateRequestTls13,
  parseCertificateTls13,
  parseCertificateVerify,
  parseEncryptedExtensions,
  parseFinished,
  parseNewSessionTicketTls13,
  parseServerHello,
  pskBindersOffset,
  replacePskBinders,
  type ServerHello,
} from '../codec/messages.js';
import type { ApplicationTrafficSecret } from '../crypto/keyschedule.js';
import type { ClientKeyShareOffer, GroupName, KeyExchangeGroup } from '../crypto/provider.js';
import { TranscriptHash } from '../crypto/transcript.js';
import { chainsMatchingAuthorities, choosePreferring } from '../handshake/certificate-selection.js';
import {
  asciiBytes,
  bytesEqual,
  bytesToAscii,
  checkFinished,
  completeKeyShare,
  deriveApplicationKeys,
  deriveHandshakeKeys,
  type FinishedVerified,
  finishedVerifyData,
  generateKeyShares,
  type HandshakeIo,
  type HandshakeKeys,
  type PskSchedule,
  pskBinder,
  pskSchedule,
  retireHandshakeKeys,
  type Suspended,
  type TrafficSecrets,
  verifyServerSignature,
  whenReady,
} from '../handshake/common.js';
import { groupByCode, groupCode } from '../handshake/groups.js';
import { clientStatusRequestExtension, deliverOcspResponse, parseStapledResponse } from '../handshake/ocsp.js';
import { authenticatePeer, isIpLiteral, type PeerCertificate } from '../handshake/peer-certificate.js';
import { acceptRecordSizeLimit, clientRecordSizeLimitExtension } from '../handshake/record-size-limit.js';
import { certificateVerifyAlgorithm, certificateVerifyContent, chooseCertificate } from '../handshake/signatures.js';
import { type Tls13Suite, tls13SuiteByCode } from '../handshake/suites.js';
import { restoredPeer } from '../handshake/tls12.js';
import { wipe } from '../redact.js';
import { clientTicketUsable, MAX_TICKET_LIFETIME, obfuscatedTicketAge, type Tls13ClientTicket } from '../tickets.js';

const TLS13 = 0x0304;
const TLS12 = 0x0303;

declare const signatureBrand: unique symbol;
/** Proof that the server's CertificateVerify signature checked out (RFC 8446 §4.4.3). */
type SignatureVerified = { readonly [signatureBrand]: 'SignatureVerified' };

/** A ticket offered in pre_shared_key (RFC 8446 §4.2.11), with its key schedule. */
interface OfferedPsk {
  readonly ticket: Tls13ClientTicket;
  readonly suite: Tls13Suite;
  readonly keys: PskSchedule;
}

/** What the first ClientHello committed us to. */
interface ClientHelloSent {
  readonly hello: ClientHello;
  readonly offers: ReadonlyMap<number, { readonly group: GroupName; readonly offer: ClientKeyShareOffer }>;
  readonly transcript: TranscriptHash;
  readonly serverHostname: string | null;
  /** The ticket offered, if any (dropped after a HelloRetryRequest choosing another hash). */
  readonly psk: OfferedPsk | null;
  /** We sent early data after this ClientHello (§4.2.10). */
  readonly earlyData: boolean;
}

/** How the server authenticated: its certificate, or the resumption PSK (§2.2). */
type ServerAuthenticated = SignatureVerified | PskAccepted;
declare const pskBrand: unique symbol;
/** Proof that the server selected our ticket, whose binder only a holder of the PSK could check (§4.2.11). */
type PskAccepted = { readonly [pskBrand]: 'PskAccepted' };

interface CertificateRequestInfo {
  readonly context: Uint8Array;
  readonly schemes: readonly number[];
  /** certificate_authorities (§4.2.4): DER names of the CAs the server accepts, a preference among our chains. */
  readonly authorities?: readonly Uint8Array[];
}

export type ClientState =
  | { readonly kind: 'Start'; readonly serverHostname: string | null }
  | { readonly kind: 'ExpectServerHello'; readonly sent: ClientHelloSent; readonly retry: { suite: Tls13Suite } | null }
  | {
      readonly kind: 'ExpectEncryptedExtensions';
      readonly sent: ClientHelloSent;
      readonly keys: HandshakeKeys;
      /** The server selected our PSK: no certificate follows (§4.2.11). */
      readonly pskAccepted: boolean;
    }
  | {
      readonly kind: 'ExpectCertificateOrCertificateRequest';
      readonly sent: ClientHelloSent;
      readonly keys: HandshakeKeys;
    }
  | {
      readonly kind: 'ExpectCertificate';
      readonly sent: ClientHelloSent;
      readonly keys: HandshakeKeys;
      readonly certRequest: CertificateRequestInfo | null;
    }
  | {
      readonly kind: 'ExpectCertificateVerify';
      readonly sent: ClientHelloSent;
      readonly keys: HandshakeKeys;
      readonly certRequest: CertificateRequestInfo | null;
      readonly peer: PeerCertificate;
    }
  | {
      readonly kind: 'ExpectFinished';
      readonly sent: ClientHelloSent;
      readonly keys: HandshakeKeys;
      readonly certRequest: CertificateRequestInfo | null;
      /** Null when resumed from a ticket that recorded no server certificate. */
      readonly peer: PeerCertificate | null;
      readonly signature: ServerAuthenticated;
      /** The server accepted our early data: EndOfEarlyData precedes our Finished (§4.5). */
      readonly earlyDataAccepted: boolean;
    }
  | {
      readonly kind: 'Connected';
      readonly peer: PeerCertificate | null;
      readonly signature: ServerAuthenticated;
      readonly finished: FinishedVerified;
    }
  | Suspended<ClientState>;

// ---------------------------------------------------------------------------------------------
// ClientHello (RFC 8446 §4.1.2)

/** Emits the first ClientHello. */
export function startClient(io: HandshakeIo, serverHostname: string | null): ClientState {
  const { config } = io;
  if (!config.tls13Enabled) {
    // TLS 1.2-only clients start in client/tls12.ts (the connection picks); here both are disabled.
    throw tlsFailure('UNSUPPORTED_PROTOCOL', 'no protocols available');
  }
  const random = config.randomBytes(32);
  io.clientRandom = random;
  // §D.4: in middlebox compatibility mode the client sends a non-empty legacy_session_id.
  const legacySessionId = config.middleboxCompat ? config.randomBytes(32) : new Uint8Array(0);
  const groups: GroupName[] = [];
  const kxs: KeyExchangeGroup[] = [];
  for (const group of config.keyShareGroups) {
    if (!config.groups.includes(group)) continue;
    const kx = config.provider.group(group);
    if (kx === undefined) continue;
    groups.push(group);
    kxs.push(kx);
  }
  if (kxs.length === 0) {
    // No configured key share: offer one for the most preferred group (HelloRetryRequest would cost a round trip).
    const group = config.groups[0];
    const kx = group === undefined ? undefined : config.provider.group(group);
    if (group === undefined || kx === undefined)
      throw tlsFailure('NO_SHARED_GROUPS', 'no key exchange group configured');
    groups.push(group);
    kxs.push(kx);
  }
  // An asynchronous provider (WebCrypto) parks here until its shares exist (generateKeyShare).
  return generateKeyShares(kxs, config.randomBytes, (generated) => {
    const offers = new Map<number, { group: GroupName; offer: ClientKeyShareOffer }>();
    for (const [i, kx] of kxs.entries()) offers.set(kx.code, { group: groups[i]!, offer: generated[i]! });
    return sendFirstClientHello(io, serverHostname, random, legacySessionId, offers);
  });
}

/** The first ClientHello, once its key shares exist (§4.1.2). */
function sendFirstClientHello(
  io: HandshakeIo,
  serverHostname: string | null,
  random: Uint8Array,
  legacySessionId: Uint8Array,
  offers: ReadonlyMap<number, { readonly group: GroupName; readonly offer: ClientKeyShareOffer }>,
): ClientState {
  const { config } = io;
  const psk = offerablePsk(io, serverHostname);
  // §4.2.10: early data only with a ticket that allows it, and only when the application queued some.
  const earlyData = psk !== null && psk.ticket.maxEarlyData > 0 && (io.queuedEarlyData ?? 0) > 0;
  const extensions = clientHelloExtensions(io, serverHostname, offers);
  if (psk !== null) {
    extensions.push(...pskExtensions(io, psk, earlyData));
  }
  const hello: ClientHello = {
    legacyVersion: TLS12,
    random,
    legacySessionId,
    cipherSuites: config.suites.map((s) => s.code),
    legacyCompressionMethods: [0],
    extensions: replayExtensions(io, extensions, false),
  };
  // TLS 1.2 hook (issue #6): also offer TLS 1.2 (suites, supported_versions, its extensions, a session).
  io.extendClientHelloForTls12?.(hello);
  const message = encodeWithBinders(hello, psk, null);
  const transcript = new TranscriptHash();
  transcript.update(message);
  // §5.1: legacy_record_version may be 0x0301 for the initial ClientHello (what RFC 8448 and OpenSSL send).
  io.sendHandshake(message, 0x0301);
  io.negotiated.serverName = serverHostname;
  io.negotiated.postHandshakeAuth = config.postHandshakeAuth;
  if (earlyData) {
    // §D.4: with early data, the compatibility change_cipher_spec goes right after the first ClientHello.
    if (config.middleboxCompat) io.sendChangeCipherSpec();
    const { schedule, earlySecret } = psk.keys;
    const secret = schedule.clientEarlyTrafficSecret(earlySecret, schedule.hash.digest(message));
    io.keylog('CLIENT_EARLY_TRAFFIC_SECRET', secret);
    io.installWriteSecret(psk.suite, schedule, secret);
    wipe(secret); // logged, and its key and IV are installed: nothing else derives from it (§7.1, §7.2)
    io.beginEarlyData?.();
  }
  return {
    kind: 'ExpectServerHello',
    sent: { hello, offers, transcript, serverHostname, psk, earlyData },
    retry: null,
  };
}

/**
 * The session's ticket when it may be offered here: not expired (§4.6.1), for a suite we still offer,
 * and issued for the same server name (§4.6.1: "Clients SHOULD only resume if the SNI value matches").
 */
function offerablePsk(io: HandshakeIo, serverHostname: string | null): OfferedPsk | null {
  const ticket = io.offeredTicket ?? null;
  if (ticket === null || !clientTicketUsable(ticket, io.config.now())) return null;
  const suite = io.config.suites.find((s) => s.code === ticket.suiteCode);
  if (suite === undefined || ticket.serverName !== serverHostname) return null;
  return { ticket, suite, keys: pskSchedule(io, suite, ticket.psk) };
}

/** psk_key_exchange_modes, early_data and pre_shared_key (last, §4.2.11) with a placeholder binder. */
function pskExtensions(io: HandshakeIo, psk: OfferedPsk, earlyData: boolean): Extension[] {
  // §4.2.9: psk_dhe_ke (1) always; psk_ke (0) only when enabled (no forward secrecy).
  const modes = io.config.allowPskKe ? [1, 0] : [1];
  const extensions: Extension[] = [
    { type: ExtensionType.psk_key_exchange_modes, body: encodePskKeyExchangeModes(modes) },
  ];
  if (earlyData) extensions.push({ type: ExtensionType.early_data, body: EMPTY_EXTENSION_BODY });
  extensions.push({
    type: ExtensionType.pre_shared_key,
    body: encodePreSharedKeyClientHello({
      identities: [
        { identity: psk.ticket.ticket, obfuscatedTicketAge: obfuscatedTicketAge(psk.ticket, io.config.now()) },
      ],
      binders: [new Uint8Array(psk.keys.schedule.hash.outputLength)],
    }),
  });
  return extensions;
}

/**
 * Encodes a ClientHello and fills in the PSK binder (§4.2.11.2): HMAC over the transcript so far
 * (`prefix`: message_hash and HelloRetryRequest, for the second ClientHello) and the ClientHello
 * truncated before the binders list.
 */
function encodeWithBinders(hello: ClientHello, psk: OfferedPsk | null, prefix: TranscriptHash | null): Uint8Array {
  const message = encodeClientHello(hello);
  if (psk === null || findExtension(hello.extensions, ExtensionType.pre_shared_key) === undefined) return message;
  const offset = pskBindersOffset(message)!;
  const truncated = message.subarray(0, offset);
  const hash = prefix === null ? psk.keys.schedule.hash.digest(truncated) : prefix.digestWith(truncated);
  replacePskBinders(message, offset, [pskBinder(psk.keys, hash)]);
  return message;
}

function clientHelloExtensions(
  io: HandshakeIo,
  serverHostname: string | null,
  offers: ReadonlyMap<number, { group: GroupName; offer: ClientKeyShareOffer }>,
): Extension[] {
  const { config } = io;
  const extensions: Extension[] = [];
  // RFC 6066 §3: "Literal IPv4 and IPv6 addresses are not permitted in "HostName"."
  if (serverHostname !== null && serverHostname !== '' && !isIpLiteral(serverHostname)) {
    extensions.push({ type: ExtensionType.server_name, body: encodeServerNameHost(serverHostname) });
  }
  extensions.push({ type: ExtensionType.supported_versions, body: encodeSupportedVersionsClientHello([TLS13]) });
  extensions.push({ type: ExtensionType.supported_groups, body: encodeSupportedGroups(config.groups.map(groupCode)) });
  extensions.push({
    type: ExtensionType.key_share,
    body: encodeKeyShareClientHello([...offers].map(([group, o]) => ({ group, keyExchange: o.offer.publicKey }))),
  });
  extensions.push({
    type: ExtensionType.signature_algorithms,
    body: encodeSignatureAlgorithms(config.signatureSchemes),
  });
  extensions.push({
    type: ExtensionType.signature_algorithms_cert,
    body: encodeSignatureAlgorithms(config.certificateSignatureSchemes),
  });
  if (config.alpnProtocols.length > 0) {
    extensions.push({
      type: ExtensionType.application_layer_protocol_negotiation,
      body: encodeAlpn(config.alpnProtocols.map(asciiBytes)),
    });
  }
  // RFC 6066 §8 (OCSP stapling) and RFC 8449 (record_size_limit), when configured.
  for (const ext of [clientStatusRequestExtension(config), clientRecordSizeLimitExtension(config)]) {
    if (ext !== undefined) extensions.push(ext);
  }
  // §4.2.4: the CAs we trust, when configured (sendCertificateAuthorities), for a server with several chains.
  if (config.certificateAuthorities.length > 0) {
    extensions.push({
      type: ExtensionType.certificate_authorities,
      body: encodeCertificateAuthorities(config.certificateAuthorities),
    });
  }
  // §4.2.6: we will answer a CertificateRequest after the handshake.
  if (config.postHandshakeAuth)
    extensions.push({ type: ExtensionType.post_handshake_auth, body: EMPTY_EXTENSION_BODY });
  return extensions;
}

function replayExtensions(io: HandshakeIo, extensions: Extension[], retry: boolean): Extension[] {
  const hook = io.config.replay?.clientHelloExtensions;
  return hook === undefined ? extensions : hook(extensions, retry);
}

// ---------------------------------------------------------------------------------------------
// Dispatch

/** Handles one handshake message in the current state. */
export function clientHandle(state: ClientState, message: HandshakeMessage, io: HandshakeIo): ClientState {
  switch (state.kind) {
    case 'ExpectServerHello':
      expect(message, HandshakeType.server_hello, state.kind);
      return onServerHello(state, message, io);
    case 'ExpectEncryptedExtensions':
      expect(message, HandshakeType.encrypted_extensions, state.kind);
      return onEncryptedExtensions(state, message, io);
    case 'ExpectCertificateOrCertificateRequest':
      if (message.type === HandshakeType.certificate_request) return onCertificateRequest(state, message, io);
      expect(message, HandshakeType.certificate, state.kind);
      return onCertificate({ ...state, kind: 'ExpectCertificate', certRequest: null }, message, io);
    case 'ExpectCertificate':
      expect(message, HandshakeType.certificate, state.kind);
      return onCertificate(state, message, io);
    case 'ExpectCertificateVerify':
      expect(message, HandshakeType.certificate_verify, state.kind);
      return onCertificateVerify(state, message, io);
    case 'ExpectFinished':
      expect(message, HandshakeType.finished, state.kind);
      return onFinished(state, message, io);
    case 'Start':
    case 'Connected':
    case 'Suspended':
      throw unexpected(message, state.kind);
  }
}

function expect(message: HandshakeMessage, type: number, stateName: string): void {
  if (message.type !== type) throw unexpected(message, stateName);
}

function unexpected(message: HandshakeMessage, stateName: string) {
  return tlsFailure(
    'UNEXPECTED_MESSAGE',
    `unexpected message: ${HandshakeType.nameOf(message.type)} in client state ${stateName}`,
  );
}

// ---------------------------------------------------------------------------------------------
// ServerHello and HelloRetryRequest (RFC 8446 §4.1.3, §4.1.4)

type ExpectServerHello = Extract<ClientState, { kind: 'ExpectServerHello' }>;

/** The checks §4.1.3/§4.1.4 share between ServerHello and HelloRetryRequest. */
function checkServerHelloCommon(
  state: ExpectServerHello,
  sh: ServerHello | HelloRetryRequest,
  io: HandshakeIo,
): Tls13Suite {
  const { hello } = state.sent;
  const versionExt = findExtension(sh.extensions, ExtensionType.supported_versions);
  if (versionExt === undefined) {
    // A TLS 1.2 (or older) ServerHello. §4.1.3: a 1.3 client seeing the downgrade sentinel MUST abort
    // with illegal_parameter; otherwise we cannot speak 1.2 yet (issue #6).
    if (sh.kind === 'server_hello' && downgradeSentinel(sh.random) !== undefined) {
      throw tlsFailure('TLS13_DOWNGRADE', 'downgrade sentinel in a TLS 1.2 ServerHello from a TLS 1.3 server');
    }
    throw tlsFailure(
      'UNSUPPORTED_PROTOCOL',
      `unsupported protocol: server chose version 0x${sh.legacyVersion.toString(16)}`,
    );
  }
  // §4.2.1: the selected version MUST be one the client offered, and only TLS 1.3 uses this extension.
  if (parseSupportedVersionsServerHello(versionExt.body) !== TLS13) {
    throw tlsFailure('BAD_PROTOCOL_VERSION_NUMBER', 'server selected a version we did not offer');
  }
  // §4.1.3: legacy_version = 0x0303.
  if (sh.legacyVersion !== TLS12) throw tlsFailure('BAD_LEGACY_VERSION', 'ServerHello legacy_version is not 0x0303');
  // §4.1.3: "A client which receives a legacy_session_id_echo field that does not match what it sent in
  // the ClientHello MUST abort the handshake with an "illegal_parameter" alert."
  if (!bytesEqual(sh.legacySessionIdEcho, hello.legacySessionId)) {
    throw tlsFailure('INVALID_SESSION_ID', 'legacy_session_id_echo does not match');
  }
  // §4.1.3: a cipher suite not offered → illegal_parameter; after an HRR it must not change (§4.1.4).
  const suite = tls13SuiteByCode(sh.cipherSuite);
  if (suite === undefined || !hello.cipherSuites.includes(sh.cipherSuite)) {
    throw tlsFailure('WRONG_CIPHER_RETURNED', 'server chose a cipher suite we did not offer');
  }
  if (state.retry !== null && state.retry.suite !== suite) {
    throw tlsFailure('WRONG_CIPHER_RETURNED', 'ServerHello cipher suite differs from the HelloRetryRequest');
  }
  // §4.1.3: legacy_compression_method MUST be 0.
  if (sh.legacyCompressionMethod !== 0)
    throw tlsFailure('INVALID_COMPRESSION_ALGORITHM', 'compression method is not null');
  checkExtensionsAllowed(sh.kind === 'server_hello' ? 'SH' : 'HRR', sh.extensions);
  void io;
  return suite;
}

function onServerHello(state: ExpectServerHello, message: HandshakeMessage, io: HandshakeIo): ClientState {
  const sh = parseServerHello(message.body);
  const suite = checkServerHelloCommon(state, sh, io);
  if (sh.kind === 'hello_retry_request') return onHelloRetryRequest(state, sh, suite, message, io);
  const { sent } = state;
  for (const ext of sh.extensions) {
    // §4.2: only these may answer what we offered (pre_shared_key only when we offered a ticket).
    const allowed =
      ext.type === ExtensionType.supported_versions ||
      ext.type === ExtensionType.key_share ||
      (ext.type === ExtensionType.pre_shared_key && sent.psk !== null);
    if (!allowed) throw unsolicitedExtension('SH', ext.type);
  }
  const pskExt = findExtension(sh.extensions, ExtensionType.pre_shared_key);
  const psk = pskExt === undefined ? null : sent.psk;
  if (pskExt !== undefined && psk !== null) {
    // §4.2.11: "Clients MUST verify that the server's selected_identity is within the range supplied by
    // the client, that the server selected a cipher suite indicating a Hash associated with the PSK" →
    // illegal_parameter. We offer exactly one identity.
    if (parsePreSharedKeyServerHello(pskExt.body) !== 0) {
      throw tlsFailure('BAD_PSK_IDENTITY', 'server selected a PSK identity we did not offer');
    }
    if (suite.hash !== psk.suite.hash) {
      throw tlsFailure('BAD_PSK', 'server selected a cipher suite whose hash does not match the PSK');
    }
  }
  const keyShareExt = findExtension(sh.extensions, ExtensionType.key_share);
  if (keyShareExt === undefined) {
    // §4.2.9: only psk_ke (if we offered it) runs without a key share.
    if (psk === null || !io.config.allowPskKe) throw tlsFailure('MISSING_KEY_SHARE', 'ServerHello has no key_share');
    return enterHandshakeKeys(state, message, suite, psk, null, io);
  }
  const share = parseKeyShareServerHello(keyShareExt.body);
  // §4.2.8: the server's share MUST be in a group for which the client offered a share.
  const offered = sent.offers.get(share.group);
  if (offered === undefined) throw tlsFailure('WRONG_CURVE', 'server key share is for a group we did not offer');
  // An asynchronous provider (WebCrypto) parks here until the shared secret exists (completeKeyShare).
  return completeKeyShare(offered.offer, share.keyExchange, (sharedSecret) => {
    io.negotiated.group = offered.group;
    return enterHandshakeKeys(state, message, suite, psk, sharedSecret, io);
  });
}

/** The ServerHello's key schedule step (§7.1) and the switch to the handshake traffic keys. */
function enterHandshakeKeys(
  state: ExpectServerHello,
  message: HandshakeMessage,
  suite: Tls13Suite,
  psk: OfferedPsk | null,
  sharedSecret: Uint8Array | null,
  io: HandshakeIo,
): ClientState {
  const { sent } = state;
  sent.transcript.selectHash(io.config.provider.hash(suite.hash));
  sent.transcript.update(message.raw);
  const keys = deriveHandshakeKeys(io, suite, sharedSecret, sent.transcript, psk?.keys);
  io.installReadSecret(suite, keys.schedule, keys.serverSecret);
  io.negotiated.version = 'TLSv1.3';
  io.negotiated.suite = suite;
  if (psk !== null) {
    io.negotiated.resumed = true;
    io.negotiated.peerCertificate = restoredPeer(psk.ticket);
    // §4.6.1: the session keeps the ALPN of the original handshake until EncryptedExtensions says otherwise.
  }
  // §4.2.10: early data is rejected when the server did not select our PSK.
  if (sent.earlyData && psk === null) io.setEarlyDataStatus?.('rejected');
  return { kind: 'ExpectEncryptedExtensions', sent, keys, pskAccepted: psk !== null };
}

function onHelloRetryRequest(
  state: ExpectServerHello,
  hrr: HelloRetryRequest,
  suite: Tls13Suite,
  message: HandshakeMessage,
  io: HandshakeIo,
): ClientState {
  // §4.1.4: "If a client receives a second HelloRetryRequest in the same connection ... it MUST abort
  // the handshake with an "unexpected_message" alert."
  if (state.retry !== null) throw tlsFailure('UNEXPECTED_MESSAGE', 'unexpected message: second HelloRetryRequest');
  const { sent } = state;
  const { config } = io;
  let selectedGroup: GroupName | undefined;
  let cookie: Uint8Array | undefined;
  for (const ext of hrr.extensions) {
    if (ext.type === ExtensionType.key_share) {
      const code = parseKeyShareHelloRetryRequest(ext.body);
      // §4.2.8: the selected group MUST be in supported_groups and MUST NOT be one we sent a share for.
      selectedGroup = groupByCode(code, config.groups);
      if (selectedGroup === undefined || sent.offers.has(code)) {
        throw tlsFailure('BAD_HELLO_RETRY_REQUEST', 'HelloRetryRequest selects a group we cannot use');
      }
    } else if (ext.type === ExtensionType.cookie) {
      cookie = parseCookie(ext.body).slice();
    } else if (ext.type !== ExtensionType.supported_versions) {
      throw unsolicitedExtension('HRR', ext.type);
    }
  }
  // §4.1.4: a HelloRetryRequest that would not change the ClientHello → illegal_parameter.
  if (selectedGroup === undefined && cookie === undefined) {
    throw tlsFailure('BAD_HELLO_RETRY_REQUEST', 'HelloRetryRequest asks for no change');
  }
  // §4.4.1: ClientHello1 is replaced by message_hash, followed by the HelloRetryRequest.
  sent.transcript.selectHash(config.provider.hash(suite.hash));
  sent.transcript.replaceWithMessageHash();
  sent.transcript.update(message.raw);
  // §4.1.2: the second ClientHello is the first one with key_share replaced and the cookie added; an
  // asynchronous provider (WebCrypto) parks at generateKeyShare until the new share exists.
  if (selectedGroup === undefined) return sendSecondClientHello(state, suite, io, sent.offers, cookie);
  const group = selectedGroup;
  const kx = config.provider.group(group);
  // A group named in supported_groups that this provider lacks (X25519MLKEM768 under WebCrypto).
  if (kx === undefined) throw tlsFailure('BAD_HELLO_RETRY_REQUEST', 'HelloRetryRequest selects a group we cannot use');
  return generateKeyShares([kx], config.randomBytes, ([offer]) => {
    const offers = new Map([[kx.code, { group, offer: offer! }]]);
    return sendSecondClientHello(state, suite, io, offers, cookie);
  });
}

/** The second ClientHello (§4.1.2), once its key share exists: the first with key_share replaced and the cookie. */
function sendSecondClientHello(
  state: ExpectServerHello,
  suite: Tls13Suite,
  io: HandshakeIo,
  offers: ClientHelloSent['offers'],
  cookie: Uint8Array | undefined,
): ClientState {
  const { sent } = state;
  const { config } = io;
  let extensions = sent.hello.extensions;
  if (offers !== sent.offers) {
    const body = encodeKeyShareClientHello(
      [...offers].map(([group, o]) => ({ group, keyExchange: o.offer.publicKey })),
    );
    extensions = extensions.map((e) => (e.type === ExtensionType.key_share ? { type: e.type, body } : e));
  }
  if (cookie !== undefined) {
    const at = extensions.findIndex((e) => e.type === ExtensionType.key_share) + 1;
    extensions = [
      ...extensions.slice(0, at),
      { type: ExtensionType.cookie, body: encodeCookie(cookie) },
      ...extensions.slice(at),
    ];
  }
  // §4.2.10: "A client MUST NOT include the "early_data" extension in its followup ClientHello"; early
  // data sent after the first one is rejected. §4.1.4: a PSK whose hash differs from the selected
  // suite's is removed; the remaining binder is recomputed over the new transcript.
  const psk = sent.psk !== null && sent.psk.suite.hash === suite.hash ? sent.psk : null;
  extensions = extensions.filter(
    (e) => e.type !== ExtensionType.early_data && (psk !== null || e.type !== ExtensionType.pre_shared_key),
  );
  if (psk !== null) {
    const pskBody = pskExtensions(io, psk, false).at(-1)!.body;
    extensions = extensions.map((e) => (e.type === ExtensionType.pre_shared_key ? { type: e.type, body: pskBody } : e));
  }
  if (sent.earlyData) {
    io.setEarlyDataStatus?.('rejected');
    io.clearWriteProtection?.();
  }
  const hello: ClientHello = { ...sent.hello, extensions: replayExtensions(io, extensions, true) };
  // §D.4: the client's dummy change_cipher_spec goes right before its second flight, here CH2.
  if (config.middleboxCompat) io.sendChangeCipherSpec();
  const ch2 = encodeWithBinders(hello, psk, sent.transcript);
  sent.transcript.update(ch2);
  io.sendHandshake(ch2);
  io.negotiated.helloRetried = true;
  return {
    kind: 'ExpectServerHello',
    sent: { hello, offers, transcript: sent.transcript, serverHostname: sent.serverHostname, psk, earlyData: false },
    retry: { suite },
  };
}

// ---------------------------------------------------------------------------------------------
// EncryptedExtensions (RFC 8446 §4.3.1)

function onEncryptedExtensions(
  state: Extract<ClientState, { kind: 'ExpectEncryptedExtensions' }>,
  message: HandshakeMessage,
  io: HandshakeIo,
): ClientState {
  const ee = parseEncryptedExtensions(message.body);
  checkExtensionsAllowed('EE', ee.extensions);
  const offered = state.sent.hello.extensions;
  let earlyDataAccepted = false;
  for (const ext of ee.extensions) {
    // §4.2: a response to an extension we did not send → unsupported_extension.
    if (findExtension(offered, ext.type) === undefined) throw unsolicitedExtension('EE', ext.type);
    switch (ext.type) {
      case ExtensionType.server_name:
        parseEmptyExtension(ext.body, 'server_name'); // RFC 6066 §3: empty in the server's answer
        break;
      case ExtensionType.record_size_limit:
        // RFC 8449 §4: the server's limit bounds our protected records from our Finished on.
        acceptRecordSizeLimit(ext.body, io.config, 'TLSv1.3', io);
        break;
      case ExtensionType.application_layer_protocol_negotiation: {
        // RFC 7301 §3.1: exactly one protocol, which must be one the client offered.
        const chosen = bytesToAscii(parseAlpnServer(ext.body));
        if (!io.config.alpnProtocols.includes(chosen)) {
          throw tlsFailure('INVALID_ALPN_PROTOCOL', 'server selected an ALPN protocol we did not offer');
        }
        io.negotiated.alpn = chosen;
        break;
      }
      case ExtensionType.early_data:
        // §4.2.10: accepted early data implies the server selected our (first) PSK.
        parseEmptyExtension(ext.body, 'early_data');
        if (!state.pskAccepted) throw tlsFailure('BAD_EARLY_DATA', 'early data accepted without the PSK');
        earlyDataAccepted = true;
        break;
      default:
        // supported_groups (the server's preferences, §4.2.7) and the rest need no action.
        break;
    }
  }
  if (earlyDataAccepted) {
    // §4.2.10: early data was sent only because we asked for it, under the ticket's suite and ALPN; a
    // server accepting it must have kept both ("MUST abort ... with an "illegal_parameter" alert").
    const ticket = state.sent.psk!;
    if (!state.sent.earlyData) throw unsolicitedExtension('EE', ExtensionType.early_data);
    if (io.negotiated.suite !== ticket.suite || io.negotiated.alpn !== ticket.ticket.alpn) {
      throw tlsFailure('BAD_EARLY_DATA', 'early data accepted with a different cipher suite or ALPN protocol');
    }
  }
  if (state.sent.earlyData) io.setEarlyDataStatus?.(earlyDataAccepted ? 'accepted' : 'rejected');
  state.sent.transcript.update(message.raw);
  if (state.pskAccepted) {
    // §4.2.11: with a PSK the server authenticates by the key; no Certificate/CertificateVerify follow.
    return {
      kind: 'ExpectFinished',
      sent: state.sent,
      keys: state.keys,
      certRequest: null,
      peer: io.negotiated.peerCertificate,
      signature: {} as PskAccepted,
      earlyDataAccepted,
    };
  }
  return { kind: 'ExpectCertificateOrCertificateRequest', sent: state.sent, keys: state.keys };
}

// ---------------------------------------------------------------------------------------------
// CertificateRequest, Certificate, CertificateVerify (RFC 8446 §4.3.2, §4.4.2, §4.4.3)

function onCertificateRequest(
  state: Extract<ClientState, { kind: 'ExpectCertificateOrCertificateRequest' }>,
  message: HandshakeMessage,
  io: HandshakeIo,
): ClientState {
  const request = parseCertificateRequestTls13(message.body);
  checkExtensionsAllowed('CR', request.extensions);
  // §4.3.2: the context "SHALL be zero length unless used for the post-handshake authentication".
  if (request.certificateRequestContext.length !== 0) {
    throw tlsFailure('ILLEGAL_PARAMETER', 'CertificateRequest context must be empty during the handshake');
  }
  const schemes = parseSignatureAlgorithms(findExtension(request.extensions, ExtensionType.signature_algorithms)!.body);
  const authoritiesExt = findExtension(request.extensions, ExtensionType.certificate_authorities);
  const authorities = authoritiesExt === undefined ? [] : parseCertificateAuthorities(authoritiesExt.body);
  state.sent.transcript.update(message.raw);
  void io;
  return {
    kind: 'ExpectCertificate',
    sent: state.sent,
    keys: state.keys,
    certRequest: { context: new Uint8Array(0), schemes, authorities },
  };
}

function onCertificate(
  state: Extract<ClientState, { kind: 'ExpectCertificate' }>,
  message: HandshakeMessage,
  io: HandshakeIo,
): ClientState {
  const certificate = parseCertificateTls13(message.body);
  // §4.4.2: "In the case of server authentication, this field SHALL be zero length."
  if (certificate.certificateRequestContext.length !== 0) {
    throw tlsFailure('ILLEGAL_PARAMETER', 'server Certificate has a non-empty request context');
  }
  // §4.4.2.4: "If the server supplies an empty Certificate message, the client MUST abort the handshake
  // with a "decode_error" alert."
  if (certificate.certificateList.length === 0)
    throw tlsFailure('NO_CERTIFICATES_RETURNED', 'server sent no certificate');
  let stapled: Uint8Array | null = null;
  for (const [index, entry] of certificate.certificateList.entries()) {
    checkExtensionsAllowed('CT', entry.extensions);
    for (const ext of entry.extensions) {
      // §4.4.2.1: the OCSP response rides in the end-entity's entry, only when we asked (requestOcsp);
      // anything else (SCTs, status we did not request) is unsolicited (§4.2: unsupported_extension).
      if (ext.type !== ExtensionType.status_request || !io.config.requestOcsp)
        throw unsolicitedExtension('CT', ext.type);
      const response = parseStapledResponse(ext.body);
      if (index === 0) stapled = response;
    }
  }
  state.sent.transcript.update(message.raw);
  const chain = certificate.certificateList.map((e) => e.certData.slice());
  const verified = authenticatePeer({
    config: io.config,
    chain,
    peerRole: 'server',
    serverHostname: state.sent.serverHostname,
    signatureCache: io.signatureCache,
  });
  return whenReady(verified, 'verifyPeerCertificate', (peer): ClientState => {
    io.negotiated.peerCertificate = peer;
    if (io.config.requestOcsp) deliverOcspResponse(io.config, io.negotiated, stapled, chain);
    return {
      kind: 'ExpectCertificateVerify',
      sent: state.sent,
      keys: state.keys,
      certRequest: state.certRequest,
      peer,
    };
  });
}

function onCertificateVerify(
  state: Extract<ClientState, { kind: 'ExpectCertificateVerify' }>,
  message: HandshakeMessage,
  io: HandshakeIo,
): ClientState {
  const cv = parseCertificateVerify(message.body);
  const content = certificateVerifyContent('server', state.sent.transcript.digest());
  const algorithm = certificateVerifyAlgorithm(io.config.signatureSchemes, state.peer.publicKey, cv.algorithm);
  // The transcript takes the message now: a provider answering with a promise (verifyServerSignature)
  // parks the handshake, and the record buffer under `message` is not ours to keep.
  state.sent.transcript.update(message.raw);
  return verifyServerSignature(io.config.provider, algorithm, state.peer.publicKey, content, cv.signature, () => {
    io.negotiated.peerSignatureScheme = cv.algorithm;
    return { ...state, kind: 'ExpectFinished', signature: {} as SignatureVerified, earlyDataAccepted: false };
  });
}

// ---------------------------------------------------------------------------------------------
// Finished and the client's second flight (RFC 8446 §4.4.4, §4.4.2)

function onFinished(
  state: Extract<ClientState, { kind: 'ExpectFinished' }>,
  message: HandshakeMessage,
  io: HandshakeIo,
): ClientState {
  const { keys, sent } = state;
  const finished = parseFinished(message.body, keys.schedule.hash.outputLength);
  const proof = checkFinished(keys, 'server', sent.transcript, finished.verifyData);
  sent.transcript.update(message.raw);
  const traffic = deriveApplicationKeys(io, keys, sent.transcript);
  io.installReadSecret(keys.suite, keys.schedule, traffic.serverSecret);
  if (state.earlyDataAccepted) {
    // §4.5: EndOfEarlyData, under the early traffic key, closes the 0-RTT data.
    const endOfEarlyData = encodeEndOfEarlyData();
    sent.transcript.update(endOfEarlyData);
    io.sendHandshake(endOfEarlyData);
  }
  // §D.4: the dummy change_cipher_spec precedes the client's encrypted second flight.
  if (io.config.middleboxCompat) io.sendChangeCipherSpec();
  io.installWriteSecret(keys.suite, keys.schedule, keys.clientSecret);
  const finish = (): ClientState => {
    const verifyData = finishedVerifyData(keys, 'client', sent.transcript);
    const clientFinished = encodeFinished({ verifyData });
    sent.transcript.update(clientFinished);
    io.sendHandshake(clientFinished);
    io.negotiated.clientFinished = verifyData;
    io.installWriteSecret(keys.suite, keys.schedule, traffic.clientSecret);
    // §7.1: resumption_master_secret covers the transcript through the client Finished.
    io.enterTraffic({
      ...traffic,
      resumptionSecret: keys.schedule.resumptionMasterSecret(traffic.master, sent.transcript.digest()),
      transcript: sent.transcript,
    });
    retireHandshakeKeys(keys); // both Finished done, both directions on the application keys
    return { kind: 'Connected', peer: state.peer, signature: state.signature, finished: proof };
  };
  if (state.certRequest === null) return finish();
  return sendClientCertificate(state.certRequest, sent.transcript, io, finish);
}

/**
 * §4.4.2: answer a CertificateRequest with our chain and a CertificateVerify, or with an empty
 * Certificate when no configured chain fits the server's signature_algorithms.
 */
function sendClientCertificate(
  request: CertificateRequestInfo,
  transcript: TranscriptHash,
  io: HandshakeIo,
  then: () => ClientState,
): ClientState {
  // §4.2.4: a chain under one of the server's certificate_authorities is preferred, any fitting one is the fallback.
  const keys = io.config.certificates;
  const preferred = chainsMatchingAuthorities(keys, request.authorities ?? []);
  const choice = choosePreferring(keys, preferred, (candidates) => chooseCertificate(candidates, request.schemes));
  const certificateMessage = encodeCertificateTls13({
    certificateRequestContext: request.context,
    certificateList: choice === undefined ? [] : choice.key.chain.map((certData) => ({ certData, extensions: [] })),
  });
  transcript.update(certificateMessage);
  io.sendHandshake(certificateMessage);
  if (choice === undefined) return then();
  io.negotiated.localChain = choice.key.chain;
  io.negotiated.signatureScheme = choice.scheme;
  const content = certificateVerifyContent('client', transcript.digest());
  return whenReady(choice.key.sign(choice.scheme, content), 'signCertificateVerify', (signature) => {
    const cv = encodeCertificateVerify({ algorithm: choice.scheme, signature });
    transcript.update(cv);
    io.sendHandshake(cv);
    return then();
  });
}

// ---------------------------------------------------------------------------------------------
// After the handshake: NewSessionTicket (RFC 8446 §4.6.1) and post-handshake authentication (§4.6.2)

/**
 * A NewSessionTicket as something to offer later, or null when the server told us to discard it
 * (ticket_lifetime 0). The PSK is HKDF-Expand-Label(resumption_master_secret, "resumption", nonce).
 */
export function clientReceiveTicket(
  traffic: TrafficSecrets,
  message: HandshakeMessage,
  io: HandshakeIo,
): Tls13ClientTicket | null {
  const nst = parseNewSessionTicketTls13(message.body);
  checkExtensionsAllowed('NST', nst.extensions);
  let maxEarlyData = 0;
  for (const ext of nst.extensions) {
    if (ext.type === ExtensionType.early_data) maxEarlyData = parseEarlyDataNewSessionTicket(ext.body);
  }
  // §4.6.1: "The value of zero indicates that the ticket should be discarded immediately"; and clients
  // "MUST NOT cache tickets for longer than 7 days, regardless of the ticket_lifetime".
  if (nst.ticketLifetime === 0 || traffic.resumptionSecret === undefined) return null;
  const peer = io.negotiated.peerCertificate;
  return {
    suiteCode: traffic.suite.code,
    psk: traffic.schedule.resumptionPsk(traffic.resumptionSecret, nst.ticketNonce),
    ticket: nst.ticket.slice(),
    lifetime: Math.min(nst.ticketLifetime, MAX_TICKET_LIFETIME),
    ageAdd: nst.ticketAgeAdd,
    receivedAt: io.config.now(),
    maxEarlyData,
    serverName: io.negotiated.serverName,
    alpn: io.negotiated.alpn,
    peerChain: peer?.chain ?? [],
    peerVerified: peer?.verified ?? false,
  };
}

/**
 * Answers a post-handshake CertificateRequest (§4.6.2) with Certificate, CertificateVerify and Finished
 * over the handshake transcript (through our Finished) plus this request (§4.4.1), the Finished keyed by
 * the current client_application_traffic_secret_N (§4.4). Only when we offered post_handshake_auth:
 * "A client that receives a CertificateRequest message without having sent the "post_handshake_auth"
 * extension MUST send an "unexpected_message" fatal alert."
 */
export function clientPostHandshakeAuth(
  traffic: TrafficSecrets,
  writeSecret: ApplicationTrafficSecret,
  message: HandshakeMessage,
  io: HandshakeIo,
): Suspended<ClientState> | null {
  if (!io.negotiated.postHandshakeAuth || traffic.transcript === undefined) {
    throw tlsFailure('UNEXPECTED_MESSAGE', 'unexpected message: CertificateRequest without post_handshake_auth');
  }
  const request = parseCertificateRequestTls13(message.body);
  checkExtensionsAllowed('CR', request.extensions);
  // §4.3.2: post-handshake, the context makes the answer unique to this request.
  if (request.certificateRequestContext.length === 0) {
    throw tlsFailure('ILLEGAL_PARAMETER', 'post-handshake CertificateRequest has an empty context');
  }
  const schemes = parseSignatureAlgorithms(findExtension(request.extensions, ExtensionType.signature_algorithms)!.body);
  const transcript = traffic.transcript.clone();
  transcript.update(message.raw);
  const { schedule } = traffic;
  const answered = sendClientCertificate(
    { context: request.certificateRequestContext.slice(), schemes },
    transcript,
    io,
    (): ClientState => {
      const verifyData = schedule.finishedVerifyData(schedule.finishedKey(writeSecret), transcript.digest());
      io.sendHandshake(encodeFinished({ verifyData }));
      return { kind: 'Start', serverHostname: null };
    },
  );
  // An asynchronous signer parks the connection at signCertificateVerify, as during the handshake.
  return answered.kind === 'Suspended' ? answered : null;
}
