/**
 * The TLS 1.2 server handshake (RFC 5246 §7.3), entered when a ClientHello does not offer TLS 1.3 (or
 * TLS 1.3 is disabled here):
 *
 * ```
 * full:    ClientHello ─(SNI callback)─▶ ServerHello, Certificate, ServerKeyExchange, [CertificateRequest],
 *          ServerHelloDone ─▶ [Certificate] ─▶ ClientKeyExchange ─▶ [CertificateVerify] ─▶ CCS ─▶ Finished
 *          ─▶ ([NewSessionTicket], CCS, Finished) ─▶ Connected
 * resumed: ClientHello (known session ID or valid ticket) ─▶ ServerHello, [NewSessionTicket], CCS, Finished
 *          ─▶ CCS ─▶ Finished ─▶ Connected
 * ```
 *
 * Policy: the RFC 8446 §4.1.3 downgrade sentinel in our random when TLS 1.3 is enabled here; RFC 5746
 * (renegotiation_info answered, a non-empty one on an initial handshake refused); RFC 7627 extended
 * master secret required by default; TLS_FALLBACK_SCSV (RFC 7507) answered with inappropriate_fallback;
 * suites by server preference (OP_CIPHER_SERVER_PREFERENCE) among those our certificates and the
 * client's groups and signature_algorithms can serve; DHE only with an enabled RFC 7919 group.
 * @module
 */
import { SSLError } from '@sanstls/x509';
import { tlsFailure } from '../alerts.js';
import type { Tls12Suite } from '../cipher-string.js';
import { stripZeros } from '../client/tls12.js';
import { CipherSuite, ClientCertificateType, ExtensionType, HandshakeType, NamedGroup } from '../codec/enums.js';
import {
  EMPTY_EXTENSION_BODY,
  type Extension,
  encodeAlpn,
  encodeEcPointFormats,
  encodeRenegotiationInfo,
  findExtension,
  parseAlpn,
  parseEcPointFormats,
  parseRenegotiationInfo,
  parseServerName,
  parseSignatureAlgorithms,
  parseSupportedGroups,
  parseSupportedVersionsClientHello,
  serverNameHost,
} from '../codec/extensions.js';
import type { HandshakeMessage } from '../codec/handshake-buffer.js';
import {
  DOWNGRADE_TLS12_SENTINEL,
  encodeCertificateRequestTls12,
  encodeCertificateStatus,
  encodeCertificateTls12,
  encodeFinished,
  encodeNewSessionTicketTls12,
  encodeServerHello,
  encodeServerHelloDone,
  encodeServerKeyExchange,
  encodeServerKeyExchangeParams,
  type ParsedClientHello,
  parseCertificateTls12,
  parseCertificateVerify,
  parseClientKeyExchange,
  parseFinished,
  type ServerKeyExchange,
} from '../codec/messages.js';
import { CERT_NONE, CERT_REQUIRED } from '../constants.js';
import { FFDHE_PRIMES } from '../crypto/ffdhe.js';
import type { GroupName, KeyShareOffer } from '../crypto/provider.js';
import { TranscriptHash } from '../crypto/transcript.js';
import { chainsMatchingCertificateSchemes } from '../handshake/certificate-selection.js';
import { clientHelloOf } from '../handshake/client-hello.js';
import { applyHookDecision, asciiBytes, bytesToAscii, type Suspended, whenReady } from '../handshake/common.js';
import type { CertifiedKey } from '../handshake/config.js';
import { clientRequestsOcsp, STATUS_TYPE_OCSP, stapledResponse } from '../handshake/ocsp.js';
import { authenticatePeer, type PeerCertificate } from '../handshake/peer-certificate.js';
import { answerRecordSizeLimit } from '../handshake/record-size-limit.js';
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
  type Tls12Established,
  type Tls12Io,
  tls12OfferedSchemes,
  tls12VerifyData,
  verifyTls12Signature,
} from '../handshake/tls12.js';
import type { Tls12RecordProtection } from '../record/protection12.js';
import type { Tls12SessionState } from '../session12.js';

const TLS12 = 0x0303;
const TLS13 = 0x0304;

interface Handshake12 {
  readonly suite: Tls12Suite;
  readonly clientRandom: Uint8Array;
  readonly serverRandom: Uint8Array;
  readonly transcript: TranscriptHash;
  /**
   * The raw handshake messages, kept only when a CertificateRequest goes out: the client's CertificateVerify
   * signs them all (RFC 5246 §7.4.8). Null otherwise (an abbreviated handshake, or CERT_NONE), so no copy of
   * each message is made for nothing (issue #9).
   */
  readonly messages: Uint8Array[] | null;
  readonly extendedMasterSecret: boolean;
  readonly sessionId: Uint8Array;
  readonly serverName: string | null;
  readonly alpn: string | null;
  /** The client offered session_ticket and tickets are on: a NewSessionTicket follows its Finished. */
  readonly issueTicket: boolean;
}

interface Keys12 {
  readonly masterSecret: Uint8Array;
  readonly read: Tls12RecordProtection;
  readonly write: Tls12RecordProtection;
}

export type Tls12ServerState =
  | { readonly kind: 'Tls12ExpectClientCertificate'; readonly hs: Handshake12; readonly offer: KeyShareOffer }
  | {
      readonly kind: 'Tls12ExpectClientKeyExchange';
      readonly hs: Handshake12;
      readonly offer: KeyShareOffer;
      readonly peer: PeerCertificate | null;
    }
  | {
      readonly kind: 'Tls12ExpectCertificateVerify';
      readonly hs: Handshake12;
      readonly keys: Keys12;
      readonly peer: PeerCertificate;
    }
  | {
      readonly kind: 'Tls12ExpectChangeCipherSpec';
      readonly hs: Handshake12;
      readonly keys: Keys12;
      readonly peer: PeerCertificate | null;
      readonly resumed: Tls12SessionState | null;
      readonly serverVerifyData: Uint8Array | null;
    }
  | {
      readonly kind: 'Tls12ExpectFinished';
      readonly hs: Handshake12;
      readonly keys: Keys12;
      readonly peer: PeerCertificate | null;
      readonly resumed: Tls12SessionState | null;
      readonly serverVerifyData: Uint8Array | null;
    }
  | { readonly kind: 'Connected'; readonly tls12: true }
  | Suspended<Tls12ServerState>;

// ---------------------------------------------------------------------------------------------
// Version selection (RFC 8446 §4.2.1, RFC 5246 §E.1)

/**
 * Which version a server with this configuration answers `hello` with: 'TLSv1.3' when the client offers
 * it and it is enabled, 'TLSv1.2' when both sides can do 1.2, else a protocol_version failure.
 */
export function chooseServerVersion(hello: ParsedClientHello, io: Tls12Io): 'TLSv1.3' | 'TLSv1.2' {
  const { config } = io;
  const versionsExt = findExtension(hello.extensions, ExtensionType.supported_versions);
  const versions = versionsExt === undefined ? [] : parseSupportedVersionsClientHello(versionsExt.body);
  if (versions.includes(TLS13) && config.tls13Enabled) return 'TLSv1.3';
  // RFC 8446 §4.2.1: with supported_versions, legacy_version is ignored; without, it is the maximum.
  const offers12 = versionsExt === undefined ? hello.legacyVersion >= TLS12 : versions.includes(TLS12);
  if (offers12 && config.tls12Enabled) return 'TLSv1.2';
  throw tlsFailure('UNSUPPORTED_PROTOCOL', 'unsupported protocol: no protocol version in common with the client');
}

export function tls12ServerHandle(state: Tls12ServerState, message: HandshakeMessage, io: Tls12Io): Tls12ServerState {
  switch (state.kind) {
    case 'Tls12ExpectClientCertificate':
      expect(message, HandshakeType.certificate, state.kind);
      return onClientCertificate(state, message, io);
    case 'Tls12ExpectClientKeyExchange':
      expect(message, HandshakeType.client_key_exchange, state.kind);
      return onClientKeyExchange(state, message, io);
    case 'Tls12ExpectCertificateVerify':
      expect(message, HandshakeType.certificate_verify, state.kind);
      return onCertificateVerify(state, message, io);
    case 'Tls12ExpectFinished':
      expect(message, HandshakeType.finished, state.kind);
      return onFinished(state, message, io);
    case 'Tls12ExpectChangeCipherSpec':
    case 'Connected':
    case 'Suspended':
      throw unexpected(message, state.kind);
  }
}

/** The client's ChangeCipherSpec (RFC 5246 §7.1). */
export function tls12ServerChangeCipherSpec(state: Tls12ServerState, io: Tls12Io): Tls12ServerState {
  if (state.kind !== 'Tls12ExpectChangeCipherSpec') {
    throw tlsFailure('UNEXPECTED_CCS_MESSAGE', `unexpected change_cipher_spec in server state ${state.kind}`);
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
    `unexpected message: ${HandshakeType.nameOf(message.type)} in TLS 1.2 server state ${stateName}`,
  );
}

// ---------------------------------------------------------------------------------------------
// ClientHello (RFC 5246 §7.4.1.2)

interface Selection {
  readonly suite: Tls12Suite;
  readonly certificate: { readonly key: CertifiedKey; readonly scheme: number };
  readonly group: GroupName;
}

/** Handles a ClientHello we answer with TLS 1.2. */
export function tls12OnClientHello(message: HandshakeMessage, io: Tls12Io): Tls12ServerState {
  const hello = clientHelloOf(message);
  io.clientRandom = hello.random.slice();
  // RFC 5246 §7.4.1.2: the null compression method MUST be offered.
  if (!hello.legacyCompressionMethods.includes(0)) {
    throw tlsFailure('INVALID_COMPRESSION_ALGORITHM', 'ClientHello does not offer the null compression method');
  }
  // RFC 7507 §3: a fallback retry from a client that could do better than what we negotiate.
  if (hello.cipherSuites.includes(CipherSuite.TLS_FALLBACK_SCSV) && io.config.tls13Enabled) {
    throw tlsFailure('INAPPROPRIATE_FALLBACK', 'inappropriate fallback (TLS_FALLBACK_SCSV with TLS 1.3 available)');
  }
  // RFC 5746 §3.6: an initial ClientHello's renegotiation_info must be empty (handshake_failure otherwise).
  const renegotiationExt = findExtension(hello.extensions, ExtensionType.renegotiation_info);
  if (renegotiationExt !== undefined && parseRenegotiationInfo(renegotiationExt.body).length !== 0) {
    throw tlsFailure('RENEGOTIATION_MISMATCH', 'renegotiation_info is not empty on the initial handshake');
  }
  const secureRenegotiation =
    renegotiationExt !== undefined || hello.cipherSuites.includes(CipherSuite.TLS_EMPTY_RENEGOTIATION_INFO_SCSV);
  const serverNameExt = findExtension(hello.extensions, ExtensionType.server_name);
  const serverName = serverNameExt === undefined ? null : (serverNameHost(parseServerName(serverNameExt.body)) ?? null);
  io.negotiated.serverName = serverName;
  io.negotiated.ocspRequested = clientRequestsOcsp(hello.extensions);
  return whenReady(io.serverNameCallback(serverName), 'serverNameCallback', (d): Tls12ServerState => {
    applyHookDecision(d, 'server name', io);
    return answerClientHello(hello, serverName, secureRenegotiation, io);
  });
}

function answerClientHello(
  hello: ParsedClientHello,
  serverName: string | null,
  secureRenegotiation: boolean,
  io: Tls12Io,
): Tls12ServerState {
  const { config } = io;
  const emsOffered = findExtension(hello.extensions, ExtensionType.extended_master_secret) !== undefined;
  // RFC 7627 §5.2: a server that requires EMS aborts a handshake without it (handshake_failure).
  if (!emsOffered && config.tls12.requireExtendedMasterSecret) {
    throw tlsFailure('EXTENDED_MASTER_SECRET_REQUIRED', 'client did not offer the extended master secret (RFC 7627)');
  }
  const ticketExt = findExtension(hello.extensions, ExtensionType.session_ticket);
  const ticketsOn = config.tls12.ticketsEnabled && ticketExt !== undefined;
  const alpn = chooseAlpn(hello, io);
  const serverRandom = config.randomBytes(32).slice();
  // RFC 8446 §4.1.3: a TLS 1.3 server negotiating TLS 1.2 ends its random with "DOWNGRD\x01".
  if (config.tls13Enabled) serverRandom.set(DOWNGRADE_TLS12_SENTINEL, 24);

  // Resumption: a ticket (RFC 5077 §3.1) first, then the session ID (RFC 5246 §7.4.1.2).
  const store = config.tls12.store;
  const now = nowSeconds(io);
  let resumed: Tls12SessionState | undefined;
  let renewTicket = false;
  if (ticketsOn && ticketExt.body.length > 0) {
    const opened = store.openTicket(ticketExt.body, config.provider, now);
    if (opened !== undefined) {
      resumed = opened.state;
      renewTicket = opened.renew;
    }
  } else if (hello.legacySessionId.length > 0) {
    resumed = store.lookupSession(hello.legacySessionId, now);
  }
  if (resumed !== undefined && !canResume(resumed, hello, serverName, emsOffered, io)) resumed = undefined;
  if (resumed !== undefined) {
    store.stats.hits++;
    return resumeSession(hello, resumed, serverRandom, renewTicket && ticketsOn, secureRenegotiation, alpn, io);
  }
  // RFC 6066 §8: only a full handshake sends Certificate and CertificateStatus, so the OCSP request hook runs
  // here, after the resumption decision (as OpenSSL's status callback, and so Node's 'OCSPRequest'). The
  // certificate, and with it the staple, is chosen from io.config after it answers.
  if (io.negotiated.ocspRequested && io.ocspRequestCallback !== undefined) {
    return whenReady(io.ocspRequestCallback(), 'ocspRequestCallback', (d): Tls12ServerState => {
      applyHookDecision(d, 'OCSP request', io);
      return fullHandshake(hello, serverName, serverRandom, secureRenegotiation, alpn, emsOffered, ticketsOn, io);
    });
  }
  return fullHandshake(hello, serverName, serverRandom, secureRenegotiation, alpn, emsOffered, ticketsOn, io);
}

/** RFC 5246 §7.3's full handshake: the server's flight up to ServerHelloDone. */
function fullHandshake(
  hello: ParsedClientHello,
  serverName: string | null,
  serverRandom: Uint8Array,
  secureRenegotiation: boolean,
  alpn: string | null,
  emsOffered: boolean,
  ticketsOn: boolean,
  io: Tls12Io,
): Tls12ServerState {
  const { config } = io;
  const selection = selectSuite(hello, io);
  const transcript = new TranscriptHash(config.provider.hash(selection.suite.hash));
  transcript.update(hello.raw);
  const sessionId = config.randomBytes(32).slice();
  const hs: Handshake12 = {
    suite: selection.suite,
    clientRandom: hello.random.slice(),
    serverRandom,
    transcript,
    messages: config.verifyMode !== CERT_NONE ? [hello.raw] : null,
    extendedMasterSecret: emsOffered,
    sessionId,
    serverName,
    alpn,
    issueTicket: ticketsOn,
  };
  io.negotiated.sharedSuites = null;
  Object.assign(io.negotiated, {
    version: 'TLSv1.2',
    suite: selection.suite,
    group: selection.group,
    alpn,
    localChain: selection.certificate.key.chain,
    signatureScheme: selection.certificate.scheme,
  });
  // RFC 6066 §8: staple the configured OCSP response when the client asked for one.
  const staple = stapledResponse(hello.extensions, selection.certificate.key);
  const extensions = serverHelloExtensions(hello, {
    secureRenegotiation,
    ems: emsOffered,
    ticket: ticketsOn,
    alpn,
    resumed: false,
    ecdhe: selection.suite.kx === 'ECDHE',
    extra: [
      ...(staple === null ? [] : [{ type: ExtensionType.status_request, body: EMPTY_EXTENSION_BODY }]),
      ...optional(answerRecordSizeLimit(hello.extensions, config, 'TLSv1.2', io)),
    ],
  });
  const serverHello = encodeServerHello({
    kind: 'server_hello',
    legacyVersion: TLS12,
    random: serverRandom,
    legacySessionIdEcho: sessionId,
    cipherSuite: selection.suite.code,
    legacyCompressionMethod: 0,
    extensions,
  });
  send(hs, serverHello, io);
  send(hs, encodeCertificateTls12({ certificateList: [...selection.certificate.key.chain] }), io);
  // RFC 6066 §8: CertificateStatus immediately after Certificate.
  if (staple !== null) send(hs, encodeCertificateStatus({ statusType: STATUS_TYPE_OCSP, response: staple }), io);

  // ServerKeyExchange (RFC 8422 §5.4, RFC 5246 §7.4.3): our ephemeral share, signed with the random values.
  const kx = config.provider.group(selection.group)!;
  const offer = kx.generate(config.randomBytes);
  const { scheme, key } = selection.certificate;
  const unsigned: ServerKeyExchange =
    selection.suite.kx === 'ECDHE'
      ? {
          kind: 'ecdhe',
          namedCurve: kx.code,
          publicPoint: offer.publicKey,
          signature: { algorithm: scheme, signature: new Uint8Array(0) },
        }
      : {
          kind: 'dhe',
          p: ffdhePrime(offer, kx),
          g: Uint8Array.of(2),
          ys: offer.publicKey,
          signature: { algorithm: scheme, signature: new Uint8Array(0) },
        };
  const params = encodeServerKeyExchangeParams(unsigned);
  const content = serverKeyExchangeContent(hs.clientRandom, serverRandom, params);
  return whenReady(key.sign(scheme, content), 'signCertificateVerify', (signature): Tls12ServerState => {
    send(hs, encodeServerKeyExchange({ ...unsigned, signature: { algorithm: scheme, signature } }), io);
    const requestCertificate = config.verifyMode !== CERT_NONE; // hs.messages is kept on the same condition
    if (requestCertificate) {
      send(
        hs,
        encodeCertificateRequestTls12({
          certificateTypes: [ClientCertificateType.rsa_sign, ClientCertificateType.ecdsa_sign],
          supportedSignatureAlgorithms: tls12OfferedSchemes(config),
          // RFC 5246 §7.4.4: the CAs we accept client certificates from, when configured.
          certificateAuthorities: [...config.certificateAuthorities],
        }),
        io,
      );
    }
    send(hs, encodeServerHelloDone(), io);
    return requestCertificate
      ? { kind: 'Tls12ExpectClientCertificate', hs, offer }
      : { kind: 'Tls12ExpectClientKeyExchange', hs, offer, peer: null };
  });
}

/** RFC 7627 §5.3 and RFC 6066 §3 conditions for resuming `state` with this ClientHello. */
function canResume(
  state: Tls12SessionState,
  hello: ParsedClientHello,
  serverName: string | null,
  emsOffered: boolean,
  io: Tls12Io,
): boolean {
  // The suite must still be enabled and offered; EMS use must match; the server name must not change.
  if (!hello.cipherSuites.includes(state.suiteCode)) return false;
  if (!io.config.tls12.suites.some((s) => s.code === state.suiteCode)) return false;
  if (state.extendedMasterSecret !== emsOffered) return false;
  if ((state.serverName ?? null) !== serverName) return false;
  // A session without a client certificate cannot satisfy CERT_REQUIRED.
  if (io.config.verifyMode === CERT_REQUIRED && state.peerChain.length === 0) return false;
  return true;
}

function resumeSession(
  hello: ParsedClientHello,
  state: Tls12SessionState,
  serverRandom: Uint8Array,
  issueTicket: boolean,
  secureRenegotiation: boolean,
  alpn: string | null,
  io: Tls12Io,
): Tls12ServerState {
  const { config } = io;
  const suite = config.tls12.suites.find((s) => s.code === state.suiteCode)!;
  const transcript = new TranscriptHash(config.provider.hash(suite.hash));
  transcript.update(hello.raw);
  // RFC 5077 §3.4: echo the client's session ID when accepting its ticket; RFC 5246: echo the cached ID.
  const sessionId = hello.legacySessionId.slice();
  const hs: Handshake12 = {
    suite,
    clientRandom: hello.random.slice(),
    serverRandom,
    transcript,
    messages: null, // RFC 5246 §7.3: an abbreviated handshake has no CertificateRequest
    extendedMasterSecret: state.extendedMasterSecret,
    sessionId,
    serverName: state.serverName,
    alpn,
    issueTicket,
  };
  Object.assign(io.negotiated, { version: 'TLSv1.2', suite, alpn });
  const serverHello = encodeServerHello({
    kind: 'server_hello',
    legacyVersion: TLS12,
    random: serverRandom,
    legacySessionIdEcho: sessionId,
    cipherSuite: suite.code,
    legacyCompressionMethod: 0,
    extensions: serverHelloExtensions(hello, {
      secureRenegotiation,
      ems: state.extendedMasterSecret,
      ticket: issueTicket,
      alpn,
      resumed: true,
      ecdhe: false,
      extra: optional(answerRecordSizeLimit(hello.extensions, config, 'TLSv1.2', io)),
    }),
  });
  send(hs, serverHello, io);
  io.keylog('CLIENT_RANDOM', state.masterSecret);
  const protection = deriveRecordProtection(io, suite, state.masterSecret, hs.clientRandom, serverRandom);
  const keys: Keys12 = { masterSecret: state.masterSecret, read: protection.client, write: protection.server };
  if (issueTicket) sendTicket(hs, state, io);
  io.sendChangeCipherSpec();
  io.installTls12WriteProtection(keys.write);
  const serverVerifyData = tls12VerifyData(io, suite, keys.masterSecret, 'server', transcript);
  send(hs, encodeFinished({ verifyData: serverVerifyData }), io);
  const peer = restoredPeer(state);
  if (peer !== null) io.negotiated.peerCertificate = peer;
  return { kind: 'Tls12ExpectChangeCipherSpec', hs, keys, peer, resumed: state, serverVerifyData };
}

/** Suite, certificate and group (RFC 5246 §7.4.1.2; RFC 8422 §5.1; RFC 7919 §4). */
function selectSuite(hello: ParsedClientHello, io: Tls12Io): Selection {
  const { config } = io;
  if (config.certificates.length === 0)
    throw tlsFailure('NO_SHARED_CIPHER', 'no shared cipher: no certificate is configured');
  const sigExt = findExtension(hello.extensions, ExtensionType.signature_algorithms);
  // RFC 5246 §7.4.1.4.1: without signature_algorithms the client means SHA-1, which we do not sign with.
  const clientSchemes = sigExt === undefined ? [] : parseSignatureAlgorithms(sigExt.body);
  const groupsExt = findExtension(hello.extensions, ExtensionType.supported_groups);
  // RFC 8422 §4: without supported_groups any curve may be used; we then pick our first.
  const clientGroups = groupsExt === undefined ? undefined : parseSupportedGroups(groupsExt.body);
  const pointFormatsExt = findExtension(hello.extensions, ExtensionType.ec_point_formats);
  const uncompressedOk = pointFormatsExt === undefined || parseEcPointFormats(pointFormatsExt.body).includes(0);
  const ecGroups = config.groups.filter((g) => g !== 'X25519MLKEM768' && config.provider.group(g) !== undefined);
  const ecGroup = ecGroups.find((g) => clientGroups === undefined || clientGroups.includes(NamedGroup[g]));
  const clientFfdhe = clientGroups?.filter((c) => c >= 0x0100 && c <= 0x01ff) ?? [];
  // RFC 7919 §4: a client listing FFDHE groups accepts only those; one listing none accepts any.
  const dheGroup = config.tls12.dheGroups.find((g) => clientFfdhe.length === 0 || clientFfdhe.includes(NamedGroup[g]));
  const candidates = config.tls12.suites.filter((s) => hello.cipherSuites.includes(s.code));
  const ordered = config.serverPreference
    ? candidates
    : hello.cipherSuites.flatMap((c) => candidates.filter((s) => s.code === c));
  io.negotiated.sharedSuites = null;
  // RFC 5246 §7.4.2: the chain's signatures should be among the client's signature_algorithms (or its
  // signature_algorithms_cert, which RFC 8446 §4.2.3 asks TLS 1.2 servers to honour too): such chains
  // come first, the others remain candidates.
  const certSchemesExt = findExtension(hello.extensions, ExtensionType.signature_algorithms_cert);
  const certSchemes = certSchemesExt === undefined ? clientSchemes : parseSignatureAlgorithms(certSchemesExt.body);
  const preferred = chainsMatchingCertificateSchemes(config.certificates, certSchemes);
  const keys = [...preferred, ...config.certificates.filter((k) => !preferred.includes(k))];
  let sawCertificateProblem = false;
  for (const suite of ordered) {
    const group = suite.kx === 'ECDHE' ? (uncompressedOk ? ecGroup : undefined) : dheGroup;
    if (group === undefined) continue;
    for (const key of keys) {
      if (!keyFitsSuite(key.publicKey, suite)) continue;
      const scheme = chooseTls12Scheme(clientSchemes, key.publicKey);
      if (scheme === undefined) {
        sawCertificateProblem = true;
        continue;
      }
      return { suite, certificate: { key, scheme }, group };
    }
  }
  if (sawCertificateProblem) {
    throw tlsFailure('NO_SUITABLE_SIGNATURE_ALGORITHM', 'no suitable signature algorithm for our certificates');
  }
  throw tlsFailure('NO_SHARED_CIPHER', 'no shared cipher');
}

/** ALPN by server preference (RFC 7301 §3.2: no overlap → no_application_protocol). */
function chooseAlpn(hello: ParsedClientHello, io: Tls12Io): string | null {
  const ext = findExtension(hello.extensions, ExtensionType.application_layer_protocol_negotiation);
  if (ext === undefined || io.config.alpnProtocols.length === 0) return null;
  const offered = parseAlpn(ext.body).map(bytesToAscii);
  const chosen = io.config.alpnProtocols.find((p) => offered.includes(p));
  if (chosen === undefined) throw tlsFailure('NO_APPLICATION_PROTOCOL', 'no application protocol');
  return chosen;
}

function serverHelloExtensions(
  hello: ParsedClientHello,
  o: {
    secureRenegotiation: boolean;
    ems: boolean;
    ticket: boolean;
    alpn: string | null;
    resumed: boolean;
    ecdhe: boolean;
    /** status_request (RFC 6066 §8), record_size_limit (RFC 8449). */
    extra: readonly Extension[];
  },
): Extension[] {
  const extensions: Extension[] = [];
  // RFC 5746 §3.6: answer a client that signalled secure renegotiation (extension or SCSV).
  if (o.secureRenegotiation)
    extensions.push({ type: ExtensionType.renegotiation_info, body: encodeRenegotiationInfo(new Uint8Array(0)) });
  if (o.ems) extensions.push({ type: ExtensionType.extended_master_secret, body: EMPTY_EXTENSION_BODY });
  if (o.ticket) extensions.push({ type: ExtensionType.session_ticket, body: EMPTY_EXTENSION_BODY });
  // RFC 6066 §3: an empty server_name acknowledges SNI, but not when resuming.
  if (!o.resumed && findExtension(hello.extensions, ExtensionType.server_name) !== undefined) {
    extensions.push({ type: ExtensionType.server_name, body: EMPTY_EXTENSION_BODY });
  }
  // RFC 8422 §5.2: answer ec_point_formats for an ECC suite.
  if (o.ecdhe && findExtension(hello.extensions, ExtensionType.ec_point_formats) !== undefined) {
    extensions.push({ type: ExtensionType.ec_point_formats, body: encodeEcPointFormats([0]) });
  }
  if (o.alpn !== null) {
    extensions.push({
      type: ExtensionType.application_layer_protocol_negotiation,
      body: encodeAlpn([asciiBytes(o.alpn)]),
    });
  }
  extensions.push(...o.extra);
  return extensions;
}

function optional<T>(value: T | undefined): T[] {
  return value === undefined ? [] : [value];
}

/** The RFC 7919 prime of a group, recovered from its public-value length (the group object keeps it private). */
function ffdhePrime(offer: KeyShareOffer, kx: { name: GroupName }): Uint8Array {
  const hex = FFDHE_PRIMES[kx.name as keyof typeof FFDHE_PRIMES];
  if (hex === undefined || hex.length !== offer.publicKey.length * 2) {
    throw tlsFailure('INTERNAL_ERROR', `no RFC 7919 prime for ${kx.name}`);
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function send(hs: Handshake12, message: Uint8Array, io: Tls12Io): void {
  recordTls12Message(hs, message);
  io.sendHandshake(message);
}

function sendTicket(hs: Handshake12, state: Tls12SessionState, io: Tls12Io): void {
  const { config } = io;
  const ticket = config.tls12.store.sealTicket(state, config.provider, nowSeconds(io), config.randomBytes);
  // RFC 5077 §3.3: the lifetime hint is the session's remaining lifetime.
  send(hs, encodeNewSessionTicketTls12({ ticketLifetimeHint: state.timeout, ticket }), io);
}

// ---------------------------------------------------------------------------------------------
// Client Certificate, ClientKeyExchange, CertificateVerify (RFC 5246 §7.4.6–§7.4.8)

function onClientCertificate(
  state: Extract<Tls12ServerState, { kind: 'Tls12ExpectClientCertificate' }>,
  message: HandshakeMessage,
  io: Tls12Io,
): Tls12ServerState {
  const certificate = parseCertificateTls12(message.body);
  recordTls12Message(state.hs, message);
  if (certificate.certificateList.length === 0) {
    // RFC 5246 §7.4.6: with no client certificate the server may go on or abort with handshake_failure.
    if (io.config.verifyMode === CERT_REQUIRED) {
      throw new SSLError('peer did not return a certificate', {
        library: 'SSL',
        reason: 'PEER_DID_NOT_RETURN_A_CERTIFICATE',
        alert: 40,
      });
    }
    return { kind: 'Tls12ExpectClientKeyExchange', hs: state.hs, offer: state.offer, peer: null };
  }
  const verified = authenticatePeer({
    config: io.config,
    chain: certificate.certificateList.map((c) => c.slice()),
    peerRole: 'client',
    serverHostname: null,
    signatureCache: io.signatureCache,
  });
  return whenReady(verified, 'verifyPeerCertificate', (peer): Tls12ServerState => {
    io.negotiated.peerCertificate = peer;
    return { kind: 'Tls12ExpectClientKeyExchange', hs: state.hs, offer: state.offer, peer };
  });
}

function onClientKeyExchange(
  state: Extract<Tls12ServerState, { kind: 'Tls12ExpectClientKeyExchange' }>,
  message: HandshakeMessage,
  io: Tls12Io,
): Tls12ServerState {
  const { hs } = state;
  const { config } = io;
  const publicValue = parseClientKeyExchange(message.body, hs.suite.kx === 'ECDHE' ? 'ecdhe' : 'dhe');
  let preMasterSecret: Uint8Array;
  if (hs.suite.kx === 'ECDHE') preMasterSecret = state.offer.complete(publicValue);
  else {
    const pLength = state.offer.publicKey.length;
    if (publicValue.length > pLength) throw tlsFailure('BAD_KEY_SHARE', 'DHE public value longer than p');
    const padded = new Uint8Array(pLength);
    padded.set(publicValue, pLength - publicValue.length);
    preMasterSecret = stripZeros(state.offer.complete(padded)); // RFC 5246 §8.1.2
  }
  recordTls12Message(hs, message);
  const masterSecret = deriveMasterSecret(
    io,
    config.provider.hash(hs.suite.hash),
    preMasterSecret,
    hs.clientRandom,
    hs.serverRandom,
    hs.extendedMasterSecret,
    hs.transcript,
  );
  const protection = deriveRecordProtection(io, hs.suite, masterSecret, hs.clientRandom, hs.serverRandom);
  const keys: Keys12 = { masterSecret, read: protection.client, write: protection.server };
  if (state.peer !== null) return { kind: 'Tls12ExpectCertificateVerify', hs, keys, peer: state.peer };
  return { kind: 'Tls12ExpectChangeCipherSpec', hs, keys, peer: null, resumed: null, serverVerifyData: null };
}

function onCertificateVerify(
  state: Extract<Tls12ServerState, { kind: 'Tls12ExpectCertificateVerify' }>,
  message: HandshakeMessage,
  io: Tls12Io,
): Tls12ServerState {
  const cv = parseCertificateVerify(message.body);
  verifyTls12Signature(
    io.config.provider,
    tls12OfferedSchemes(io.config),
    state.peer.publicKey,
    cv.algorithm,
    cv.signature,
    certificateVerifyInput(state.hs), // kept since the CertificateRequest (fullHandshake)
  );
  io.negotiated.peerSignatureScheme = cv.algorithm;
  recordTls12Message(state.hs, message);
  return {
    kind: 'Tls12ExpectChangeCipherSpec',
    hs: state.hs,
    keys: state.keys,
    peer: state.peer,
    resumed: null,
    serverVerifyData: null,
  };
}

// ---------------------------------------------------------------------------------------------
// Finished (RFC 5246 §7.4.9)

function onFinished(
  state: Extract<Tls12ServerState, { kind: 'Tls12ExpectFinished' }>,
  message: HandshakeMessage,
  io: Tls12Io,
): Tls12ServerState {
  const { hs, keys } = state;
  const { config } = io;
  const finished = parseFinished(message.body, 12);
  checkTls12Finished(tls12VerifyData(io, hs.suite, keys.masterSecret, 'client', hs.transcript), finished.verifyData);
  recordTls12Message(hs, message);
  const clientVerifyData = finished.verifyData.slice();
  io.negotiated.clientFinished = clientVerifyData;
  const store = config.tls12.store;
  let session: Tls12SessionState;
  let serverVerifyData: Uint8Array;
  let ticket: Uint8Array | null = null;
  if (state.resumed !== null) {
    session = state.resumed;
    serverVerifyData = state.serverVerifyData!;
  } else {
    session = {
      suiteCode: hs.suite.code,
      masterSecret: keys.masterSecret,
      extendedMasterSecret: hs.extendedMasterSecret,
      time: nowSeconds(io),
      timeout: store.sessionTimeout,
      serverName: hs.serverName,
      alpn: hs.alpn,
      peerChain: state.peer?.chain ?? [],
      peerVerified: state.peer?.verified ?? false,
    };
    store.cacheSession(hs.sessionId, session);
    if (hs.issueTicket) sendTicket(hs, session, io);
    io.sendChangeCipherSpec();
    io.installTls12WriteProtection(keys.write);
    serverVerifyData = tls12VerifyData(io, hs.suite, keys.masterSecret, 'server', hs.transcript);
    const ours = encodeFinished({ verifyData: serverVerifyData });
    hs.transcript.update(ours);
    io.sendHandshake(ours);
  }
  const established: Tls12Established = {
    suite: hs.suite,
    masterSecret: keys.masterSecret,
    clientRandom: hs.clientRandom,
    serverRandom: hs.serverRandom,
    extendedMasterSecret: hs.extendedMasterSecret,
    tlsUnique: state.resumed === null ? clientVerifyData : serverVerifyData,
    clientVerifyData,
    serverVerifyData,
    resumed: state.resumed !== null,
    session,
    sessionId: hs.sessionId,
    ticket,
    ticketLifetimeHint: hs.issueTicket ? session.timeout : 0,
  };
  ticket = null;
  io.enterTls12Traffic(established);
  return { kind: 'Connected', tls12: true };
}
