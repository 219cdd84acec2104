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
  type Extension,
  encodeAlpn,
  encodeCookie,
  encodeKeyShareClientHello,
  encodeServerNameHost,
  encodeSignatureAlgorithms,
  encodeSupportedGroups,
  encodeSupportedVersionsClientHello,
  findExtension,
  parseAlpnServer,
  parseCookie,
  parseEmptyExtension,
  parseKeyShareHelloRetryRequest,
  parseKeyShareServerHello,
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
  encodeFinished,
  type HelloRetryRequest,
  parseCertificateRequestTls13,
  parseCertificateTls13,
  parseCertificateVerify,
  parseEncryptedExtensions,
  parseFinished,
  parseServerHello,
  type ServerHello,
} from '../codec/messages.js';
import type { GroupName, KeyShareOffer } from '../crypto/provider.js';
import { TranscriptHash } from '../crypto/transcript.js';
import {
  asciiBytes,
  bytesEqual,
  bytesToAscii,
  checkFinished,
  deriveApplicationKeys,
  deriveHandshakeKeys,
  type FinishedVerified,
  finishedVerifyData,
  type HandshakeIo,
  type HandshakeKeys,
  type Suspended,
  whenReady,
} from '../handshake/common.js';
import { groupByCode, groupCode } from '../handshake/groups.js';
import { authenticatePeer, isIpLiteral, type PeerCertificate } from '../handshake/peer-certificate.js';
import { certificateVerifyContent, chooseCertificate, verifyCertificateVerify } from '../handshake/signatures.js';
import { type Tls13Suite, tls13SuiteByCode } from '../handshake/suites.js';

const TLS13 = 0x0304;
const TLS12 = 0x0303;

declare const signatureBrand: unique symbol;
/** Proof that the server's CertificateVerify signature checked out (RFC 8446 §4.4.3). */
type SignatureVerified = { readonly [signatureBrand]: 'SignatureVerified' };

/** What the first ClientHello committed us to. */
interface ClientHelloSent {
  readonly hello: ClientHello;
  readonly offers: ReadonlyMap<number, { readonly group: GroupName; readonly offer: KeyShareOffer }>;
  readonly transcript: TranscriptHash;
  readonly serverHostname: string | null;
}

interface CertificateRequestInfo {
  readonly context: Uint8Array;
  readonly schemes: readonly number[];
}

export type ClientState =
  | { readonly kind: 'Start'; readonly serverHostname: string | null }
  | { readonly kind: 'ExpectServerHello'; readonly sent: ClientHelloSent; readonly retry: { suite: Tls13Suite } | null }
  | { readonly kind: 'ExpectEncryptedExtensions'; readonly sent: ClientHelloSent; readonly keys: HandshakeKeys }
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
      readonly peer: PeerCertificate;
      readonly signature: SignatureVerified;
    }
  | {
      readonly kind: 'Connected';
      readonly peer: PeerCertificate;
      readonly signature: SignatureVerified;
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
  const offers = new Map<number, { group: GroupName; offer: KeyShareOffer }>();
  for (const group of config.keyShareGroups) {
    if (!config.groups.includes(group)) continue;
    const kx = config.provider.group(group);
    if (kx === undefined) continue;
    offers.set(kx.code, { group, offer: kx.generate(config.randomBytes) });
  }
  if (offers.size === 0) {
    // No configured key share: offer one for the most preferred group (HelloRetryRequest would cost a round trip).
    const group = config.groups[0];
    const kx = group === undefined ? undefined : config.provider.group(group);
    if (group === undefined || kx === undefined)
      throw tlsFailure('NO_SHARED_GROUPS', 'no key exchange group configured');
    offers.set(kx.code, { group, offer: kx.generate(config.randomBytes) });
  }
  const hello: ClientHello = {
    legacyVersion: TLS12,
    random,
    legacySessionId,
    cipherSuites: config.suites.map((s) => s.code),
    legacyCompressionMethods: [0],
    extensions: replayExtensions(io, clientHelloExtensions(io, serverHostname, offers), false),
  };
  // TLS 1.2 hook (issue #6): also offer TLS 1.2 (suites, supported_versions, its extensions, a session).
  io.extendClientHelloForTls12?.(hello);
  const message = encodeClientHello(hello);
  const transcript = new TranscriptHash();
  transcript.update(message);
  // §5.1: legacy_record_version may be 0x0301 for the initial ClientHello (what RFC 8448 and OpenSSL send).
  io.sendHandshake(message, 0x0301);
  io.negotiated.serverName = serverHostname;
  return { kind: 'ExpectServerHello', sent: { hello, offers, transcript, serverHostname }, retry: null };
}

function clientHelloExtensions(
  io: HandshakeIo,
  serverHostname: string | null,
  offers: ReadonlyMap<number, { group: GroupName; offer: KeyShareOffer }>,
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
    // §4.2: we offered no pre_shared_key, so only these two may answer.
    if (ext.type !== ExtensionType.supported_versions && ext.type !== ExtensionType.key_share) {
      throw unsolicitedExtension('SH', ext.type);
    }
  }
  const keyShareExt = findExtension(sh.extensions, ExtensionType.key_share);
  if (keyShareExt === undefined) throw tlsFailure('MISSING_KEY_SHARE', 'ServerHello has no key_share');
  const share = parseKeyShareServerHello(keyShareExt.body);
  // §4.2.8: the server's share MUST be in a group for which the client offered a share.
  const offered = sent.offers.get(share.group);
  if (offered === undefined) throw tlsFailure('WRONG_CURVE', 'server key share is for a group we did not offer');
  const sharedSecret = offered.offer.complete(share.keyExchange);
  sent.transcript.selectHash(io.config.provider.hash(suite.hash));
  sent.transcript.update(message.raw);
  const keys = deriveHandshakeKeys(io, suite, sharedSecret, sent.transcript);
  io.installReadSecret(suite, keys.schedule, keys.serverSecret);
  io.negotiated.version = 'TLSv1.3';
  io.negotiated.suite = suite;
  io.negotiated.group = offered.group;
  return { kind: 'ExpectEncryptedExtensions', sent, keys };
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
  // §4.1.2: the second ClientHello is the first one with key_share replaced and the cookie added.
  const offers = new Map(sent.offers);
  let extensions = sent.hello.extensions;
  if (selectedGroup !== undefined) {
    const kx = config.provider.group(selectedGroup)!;
    const offer = kx.generate(config.randomBytes);
    offers.clear();
    offers.set(kx.code, { group: selectedGroup, offer });
    const body = encodeKeyShareClientHello([{ group: kx.code, keyExchange: offer.publicKey }]);
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
  const hello: ClientHello = { ...sent.hello, extensions: replayExtensions(io, extensions, true) };
  // §D.4: the client's dummy change_cipher_spec goes right before its second flight, here CH2.
  if (config.middleboxCompat) io.sendChangeCipherSpec();
  const ch2 = encodeClientHello(hello);
  sent.transcript.update(ch2);
  io.sendHandshake(ch2);
  io.negotiated.helloRetried = true;
  return {
    kind: 'ExpectServerHello',
    sent: { hello, offers, transcript: sent.transcript, serverHostname: sent.serverHostname },
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
  for (const ext of ee.extensions) {
    // §4.2: a response to an extension we did not send → unsupported_extension.
    if (findExtension(offered, ext.type) === undefined) throw unsolicitedExtension('EE', ext.type);
    switch (ext.type) {
      case ExtensionType.server_name:
        parseEmptyExtension(ext.body, 'server_name'); // RFC 6066 §3: empty in the server's answer
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
      default:
        // supported_groups (the server's preferences, §4.2.7) and the rest need no action.
        break;
    }
  }
  state.sent.transcript.update(message.raw);
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
  state.sent.transcript.update(message.raw);
  void io;
  return {
    kind: 'ExpectCertificate',
    sent: state.sent,
    keys: state.keys,
    certRequest: { context: new Uint8Array(0), schemes },
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
  for (const entry of certificate.certificateList) {
    checkExtensionsAllowed('CT', entry.extensions);
    // We request neither OCSP nor SCTs, so any entry extension is unsolicited (§4.4.2).
    const first = entry.extensions[0];
    if (first !== undefined) throw unsolicitedExtension('CT', first.type);
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
  verifyCertificateVerify(
    io.config.provider,
    io.config.signatureSchemes,
    state.peer.publicKey,
    cv.algorithm,
    cv.signature,
    content,
  );
  io.negotiated.peerSignatureScheme = cv.algorithm;
  state.sent.transcript.update(message.raw);
  return { ...state, kind: 'ExpectFinished', signature: {} as SignatureVerified };
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
    io.enterTraffic(traffic);
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
  const choice = chooseCertificate(io.config.certificates, request.schemes);
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
