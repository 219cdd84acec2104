/**
 * The TLS 1.3 server handshake (RFC 8446 §2, §4), in protocol order:
 *
 * ```
 * ExpectClientHello ──(SNI callback)──▶ negotiate ──no usable key share──▶ HelloRetryRequest
 *        │                                  │                                  ▼
 *        │                                  │                     ExpectSecondClientHello ─▶ negotiate
 *        ▼                                  ▼
 *   ServerHello, [CCS], {EncryptedExtensions, [CertificateRequest], Certificate, CertificateVerify, Finished}
 *        ▼
 *   [ExpectClientCertificate ─▶ ExpectClientCertificateVerify] ─▶ ExpectClientFinished ─▶ Connected
 *
 * Resumption (§2.2, §4.2.11): a ticket we can open, for this hash and server name, with a verifying
 * binder ─▶ ServerHello + pre_shared_key, {EncryptedExtensions [+ early_data], Finished}
 *   ─▶ [ExpectEndOfEarlyData (0-RTT data under the early key)] ─▶ ExpectClientFinished ─▶ Connected,
 *   then NewSessionTickets (§4.6.1). Rejected 0-RTT data is skipped (§4.2.10).
 * ```
 *
 * Negotiation (§4.1.1): cipher suite by server preference unless OP_CIPHER_SERVER_PREFERENCE is off; the
 * first client key share in a group we support (in our preference order), else a HelloRetryRequest for
 * our most preferred group the client supports; the certificate chosen from the client's
 * signature_algorithms; ALPN by server preference, with no_application_protocol when nothing overlaps
 * (RFC 7301 §3.2). The HelloRetryRequest carries a cookie binding it to this connection, which the
 * second ClientHello must echo.
 * @module
 */

import { SSLError } from '@sanstls/x509';
import { tlsFailure } from '../alerts.js';
import { ExtensionType, HandshakeType } from '../codec/enums.js';
import {
  checkExtensionsAllowed,
  EMPTY_EXTENSION_BODY,
  type Extension,
  encodeAlpn,
  encodeCertificateAuthorities,
  encodeCookie,
  encodeEarlyDataNewSessionTicket,
  encodeKeyShareHelloRetryRequest,
  encodeKeyShareServerHello,
  encodePreSharedKeyServerHello,
  encodeSignatureAlgorithms,
  encodeSupportedVersionsServerHello,
  findExtension,
  parseAlpn,
  parseCertificateAuthorities,
  parseCookie,
  parseKeyShareClientHello,
  parsePreSharedKeyClientHello,
  parsePskKeyExchangeModes,
  parseServerName,
  parseSignatureAlgorithms,
  parseSupportedGroups,
  parseSupportedVersionsClientHello,
  serverNameHost,
} from '../codec/extensions.js';
import type { HandshakeMessage } from '../codec/handshake-buffer.js';
import {
  encodeCertificateRequestTls13,
  encodeCertificateTls13,
  encodeCertificateVerify,
  encodeEncryptedExtensions,
  encodeFinished,
  encodeNewSessionTicketTls13,
  encodeServerHello,
  type ParsedClientHello,
  parseCertificateTls13,
  parseCertificateVerify,
  parseEmptyMessage,
  parseFinished,
} from '../codec/messages.js';
import { CERT_NONE, CERT_REQUIRED } from '../constants.js';
import type { ApplicationTrafficSecret, EarlyTrafficSecret } from '../crypto/keyschedule.js';
import type { GroupName } from '../crypto/provider.js';
import { TranscriptHash } from '../crypto/transcript.js';
import {
  chainsMatchingAuthorities,
  chainsMatchingCertificateSchemes,
  choosePreferring,
} from '../handshake/certificate-selection.js';
import { clientHelloOf } from '../handshake/client-hello.js';
import {
  applyHookDecision,
  asciiBytes,
  bytesEqual,
  bytesToAscii,
  checkFinished,
  checkPskBinder,
  deriveApplicationKeys,
  deriveHandshakeKeys,
  type FinishedVerified,
  finishedVerifyData,
  type HandshakeIo,
  type HandshakeKeys,
  type PskSchedule,
  pskSchedule,
  retireHandshakeKeys,
  type Suspended,
  type TrafficSecrets,
  whenReady,
} from '../handshake/common.js';
import type { CertifiedKey } from '../handshake/config.js';
import { groupCode } from '../handshake/groups.js';
import { certificateEntryStatus, clientRequestsOcsp, stapledResponse } from '../handshake/ocsp.js';
import { authenticatePeer, type PeerCertificate } from '../handshake/peer-certificate.js';
import { answerRecordSizeLimit } from '../handshake/record-size-limit.js';
import { certificateVerifyContent, chooseCertificate, verifyCertificateVerify } from '../handshake/signatures.js';
import { type Tls13Suite, tls13SuiteByCode } from '../handshake/suites.js';
import { restoredPeer } from '../handshake/tls12.js';
import { wipe } from '../redact.js';
import {
  lookupTicket,
  newTicketId,
  openTicket,
  sealTicket,
  type Tls13TicketState,
  ticketAgeFresh,
} from '../tickets.js';

const TLS13 = 0x0304;
const TLS12 = 0x0303;

/** The decisions taken for one ClientHello. */
interface Negotiation {
  readonly suite: Tls13Suite;
  /** The group, and the client's share when it sent one for it (otherwise: HelloRetryRequest). */
  readonly group: GroupName;
  readonly clientShare: Uint8Array | undefined;
  readonly certificate: { readonly key: CertifiedKey; readonly scheme: number };
  readonly alpn: string | null;
  readonly sentServerName: boolean;
}

/** What the first ClientHello fixed, for the §4.1.2 consistency checks on the second. */
interface FirstHello {
  readonly hello: ParsedClientHello;
  readonly negotiation: Negotiation;
  readonly cookie: Uint8Array;
  readonly transcript: TranscriptHash;
}

interface ClientAuth {
  readonly keys: HandshakeKeys;
  readonly transcript: TranscriptHash;
  readonly traffic: ReturnType<typeof deriveApplicationKeys>;
  /** Resumed: tickets after it (one). */
  readonly resumed: boolean;
}

/** psk_ke (0) and psk_dhe_ke (1), RFC 8446 §4.2.9. */
const PSK_KE = 0;
const PSK_DHE_KE = 1;
/**
 * How much rejected 0-RTT data we skip (§4.2.10: "up to the configured max_early_data_size") when we
 * accept none: OpenSSL's default recv_max_early_data, so a client holding an old ticket still connects.
 */
const REJECTED_EARLY_DATA_ALLOWANCE = 16384;

/** The ticket we resume from (§4.2.11), its key schedule, the key exchange mode and the 0-RTT verdict. */
interface SelectedPsk {
  readonly index: number;
  readonly state: Tls13TicketState;
  readonly keys: PskSchedule;
  /** psk_dhe_ke (an (EC)DHE share as well) or psk_ke. */
  readonly dhe: boolean;
  readonly acceptEarlyData: boolean;
}

export type ServerState =
  | { readonly kind: 'ExpectClientHello' }
  | { readonly kind: 'ExpectSecondClientHello'; readonly first: FirstHello }
  | { readonly kind: 'ExpectClientCertificate'; readonly auth: ClientAuth }
  | { readonly kind: 'ExpectClientCertificateVerify'; readonly auth: ClientAuth; readonly peer: PeerCertificate }
  | { readonly kind: 'ExpectClientFinished'; readonly auth: ClientAuth }
  | {
      readonly kind: 'ExpectEndOfEarlyData';
      readonly auth: ClientAuth;
      readonly clientHandshakeSecret: ClientAuth['keys']['clientSecret'];
    }
  | { readonly kind: 'Connected'; readonly finished: FinishedVerified }
  | Suspended<ServerState>;

export function startServer(): ServerState {
  return { kind: 'ExpectClientHello' };
}

export function serverHandle(state: ServerState, message: HandshakeMessage, io: HandshakeIo): ServerState {
  switch (state.kind) {
    case 'ExpectClientHello':
      expect(message, HandshakeType.client_hello, state.kind);
      return onClientHello(message, io);
    case 'ExpectSecondClientHello':
      expect(message, HandshakeType.client_hello, state.kind);
      return onSecondClientHello(state.first, message, io);
    case 'ExpectClientCertificate':
      expect(message, HandshakeType.certificate, state.kind);
      return onClientCertificate(state, message, io);
    case 'ExpectClientCertificateVerify':
      expect(message, HandshakeType.certificate_verify, state.kind);
      return onClientCertificateVerify(state, message, io);
    case 'ExpectClientFinished':
      expect(message, HandshakeType.finished, state.kind);
      return onClientFinished(state, message, io);
    case 'ExpectEndOfEarlyData':
      expect(message, HandshakeType.end_of_early_data, state.kind);
      return onEndOfEarlyData(state, message, io);
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
    `unexpected message: ${HandshakeType.nameOf(message.type)} in server state ${stateName}`,
  );
}

// ---------------------------------------------------------------------------------------------
// ClientHello (RFC 8446 §4.1.2) and the SNI callback (RFC 6066 §3)

function onClientHello(message: HandshakeMessage, io: HandshakeIo): ServerState {
  const hello = clientHelloOf(message);
  io.clientRandom = hello.random.slice();
  checkTls13ClientHello(hello, io);
  const serverNameExt = findExtension(hello.extensions, ExtensionType.server_name);
  const serverName = serverNameExt === undefined ? null : (serverNameHost(parseServerName(serverNameExt.body)) ?? null);
  io.negotiated.serverName = serverName;
  io.negotiated.ocspRequested = clientRequestsOcsp(hello.extensions);
  const decision = io.serverNameCallback(serverName);
  return whenReady(decision, 'serverNameCallback', (d): ServerState => {
    applyHookDecision(d, 'server name', io);
    const negotiation = negotiate(hello, io, undefined);
    const psk = choosePsk(hello, negotiation, null, io);
    // RFC 6066 §8: the staple goes in the Certificate message, which only a full handshake sends; the OCSP
    // request hook runs once resumption is ruled out (OpenSSL's status callback, skipped when the session
    // resumes, and so Node's 'OCSPRequest').
    if (psk === null && io.negotiated.ocspRequested && io.ocspRequestCallback !== undefined) {
      return whenReady(io.ocspRequestCallback(), 'ocspRequestCallback', (o): ServerState => {
        applyHookDecision(o, 'OCSP request', io);
        // A config from the hook (this connection's staple) has its own certificate entries: choose from it.
        return answerFirstClientHello(
          hello,
          o.config === undefined ? negotiation : negotiate(hello, io, undefined),
          psk,
          io,
        );
      });
    }
    return answerFirstClientHello(hello, negotiation, psk, io);
  });
}

/** The first ClientHello once the hooks have answered: a HelloRetryRequest or the server's flight. */
function answerFirstClientHello(
  hello: ParsedClientHello,
  negotiation: Negotiation,
  psk: ReturnType<typeof choosePsk>,
  io: HandshakeIo,
): ServerState {
  const transcript = new TranscriptHash(io.config.provider.hash(negotiation.suite.hash));
  transcript.update(hello.raw);
  if (negotiation.clientShare === undefined && (psk === null || psk.dhe)) {
    skipEarlyData(hello, io);
    return sendHelloRetryRequest(hello, negotiation, transcript, io);
  }
  return sendServerFlight(hello, negotiation, psk, transcript, io);
}

/** Version and structure checks for a ClientHello we answer with TLS 1.3. */
function checkTls13ClientHello(hello: ParsedClientHello, io: HandshakeIo): void {
  const versionsExt = findExtension(hello.extensions, ExtensionType.supported_versions);
  const versions = versionsExt === undefined ? [] : parseSupportedVersionsClientHello(versionsExt.body);
  if (!versions.includes(TLS13) || !io.config.tls13Enabled) {
    // A client offering only TLS 1.2 or older (§4.2.1, §D.2): not supported until issue #6.
    throw tlsFailure('UNSUPPORTED_PROTOCOL', 'unsupported protocol: the client does not offer TLS 1.3');
  }
  // §4.1.2: "If a TLS 1.3 ClientHello is received with any other value in this field, the server MUST
  // abort the handshake with an "illegal_parameter" alert."
  if (hello.legacyCompressionMethods.length !== 1 || hello.legacyCompressionMethods[0] !== 0) {
    throw tlsFailure(
      'INVALID_COMPRESSION_ALGORITHM',
      'TLS 1.3 ClientHello must offer only the null compression method',
    );
  }
  checkExtensionsAllowed('CH', hello.extensions);
}

/** §4.1.1 negotiation. `fixed` pins suite and group for a second ClientHello. */
function negotiate(hello: ParsedClientHello, io: HandshakeIo, fixed: Negotiation | undefined): Negotiation {
  const { config } = io;
  // Cipher suite: server preference (OP_CIPHER_SERVER_PREFERENCE) or the client's.
  const offered = config.suites.filter((s) => hello.cipherSuites.includes(s.code));
  // The suites both sides have, in the client's order (sharedCiphers()): plain loops, as flatMap with a
  // closure per offered code was the server's costliest line in the handshake profile (issue #9).
  const shared: Tls13Suite[] = [];
  for (const code of hello.cipherSuites) {
    for (const s of offered) if (s.code === code) shared.push(s);
  }
  io.negotiated.sharedSuites = shared;
  const suite = fixed?.suite ?? (config.serverPreference ? offered[0] : io.negotiated.sharedSuites[0]);
  if (suite === undefined) throw tlsFailure('NO_SHARED_CIPHER', 'no shared cipher');
  // §9.2: signature_algorithms is mandatory for certificate authentication; supported_groups and
  // key_share come together.
  const sigAlgsExt = findExtension(hello.extensions, ExtensionType.signature_algorithms);
  if (sigAlgsExt === undefined)
    throw tlsFailure('MISSING_SIGALGS_EXTENSION', 'ClientHello has no signature_algorithms');
  const groupsExt = findExtension(hello.extensions, ExtensionType.supported_groups);
  const keyShareExt = findExtension(hello.extensions, ExtensionType.key_share);
  if (groupsExt === undefined)
    throw tlsFailure('MISSING_SUPPORTED_GROUPS_EXTENSION', 'ClientHello has no supported_groups');
  if (keyShareExt === undefined) throw tlsFailure('MISSING_KEY_SHARE', 'ClientHello has no key_share');
  const clientGroups = parseSupportedGroups(groupsExt.body);
  const shares = parseKeyShareClientHello(keyShareExt.body);
  for (const share of shares) {
    // §4.2.8: "Each KeyShareEntry value MUST correspond to a group offered in the "supported_groups"
    // extension and MUST appear in the same order."
    if (!clientGroups.includes(share.group))
      throw tlsFailure('BAD_KEY_SHARE', 'key share for a group not in supported_groups');
  }
  let group: GroupName | undefined;
  let clientShare: Uint8Array | undefined;
  if (fixed !== undefined) {
    // §4.1.2: the second ClientHello carries exactly one share, for the group the HRR selected.
    const only = shares[0];
    if (shares.length !== 1 || only === undefined || only.group !== groupCode(fixed.group)) {
      throw tlsFailure('BAD_KEY_SHARE', 'second ClientHello does not carry the requested key share');
    }
    group = fixed.group;
    clientShare = only.keyExchange;
  } else {
    for (const candidate of config.groups) {
      const share = shares.find((s) => s.group === groupCode(candidate));
      if (share !== undefined && config.provider.group(candidate) !== undefined) {
        group = candidate;
        clientShare = share.keyExchange;
        break;
      }
    }
    if (group === undefined) {
      group = config.groups.find((g) => clientGroups.includes(groupCode(g)) && config.provider.group(g) !== undefined);
      if (group === undefined) throw tlsFailure('NO_SHARED_GROUPS', 'no shared groups');
    }
  }
  // Certificate by the client's signature_algorithms (§4.4.2.2).
  if (config.certificates.length === 0)
    throw tlsFailure('NO_SHARED_CIPHER', 'no shared cipher: no certificate is configured');
  // §4.2.3: prefer a chain whose signatures are in signature_algorithms_cert (signature_algorithms when
  // absent); §4.4.2.2: failing that, any chain that can sign.
  const clientSchemes = parseSignatureAlgorithms(sigAlgsExt.body);
  const certSchemesExt = findExtension(hello.extensions, ExtensionType.signature_algorithms_cert);
  const certSchemes = certSchemesExt === undefined ? clientSchemes : parseSignatureAlgorithms(certSchemesExt.body);
  const bySchemes = chainsMatchingCertificateSchemes(config.certificates, certSchemes);
  // §4.2.4: a client's certificate_authorities names the CAs it trusts; chains under them come first.
  const authoritiesExt = findExtension(hello.extensions, ExtensionType.certificate_authorities);
  const trusted =
    authoritiesExt === undefined
      ? []
      : chainsMatchingAuthorities(config.certificates, parseCertificateAuthorities(authoritiesExt.body));
  const certificate = choosePreferring(
    config.certificates,
    [trusted.filter((k) => bySchemes.includes(k)), trusted, bySchemes],
    (keys) => chooseCertificate(keys, clientSchemes),
  );
  if (certificate === undefined) {
    throw tlsFailure('NO_SUITABLE_SIGNATURE_ALGORITHM', 'no suitable signature algorithm for our certificates');
  }
  // ALPN (RFC 7301 §3.2): our preference among the client's protocols.
  let alpn: string | null = null;
  const alpnExt = findExtension(hello.extensions, ExtensionType.application_layer_protocol_negotiation);
  if (alpnExt !== undefined && config.alpnProtocols.length > 0) {
    const clientProtocols = parseAlpn(alpnExt.body).map(bytesToAscii);
    alpn = config.alpnProtocols.find((p) => clientProtocols.includes(p)) ?? null;
    if (alpn === null) throw tlsFailure('NO_APPLICATION_PROTOCOL', 'no application protocol');
  }
  return {
    suite,
    group,
    clientShare,
    certificate,
    alpn,
    sentServerName: findExtension(hello.extensions, ExtensionType.server_name) !== undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// HelloRetryRequest (RFC 8446 §4.1.4) and the second ClientHello

function sendHelloRetryRequest(
  hello: ParsedClientHello,
  negotiation: Negotiation,
  transcript: TranscriptHash,
  io: HandshakeIo,
): ServerState {
  const { config } = io;
  // The cookie binds the retry to this ClientHello (§4.2.2): a MAC of its hash under a fresh key.
  const hash = config.provider.hash(negotiation.suite.hash);
  let extensions: Extension[] = [
    { type: ExtensionType.supported_versions, body: encodeSupportedVersionsServerHello(TLS13) },
    { type: ExtensionType.key_share, body: encodeKeyShareHelloRetryRequest(groupCode(negotiation.group)) },
    {
      type: ExtensionType.cookie,
      body: encodeCookie(hash.hmac(config.randomBytes(hash.outputLength), transcript.digest())),
    },
  ];
  extensions = config.replay?.helloRetryRequestExtensions?.(extensions) ?? extensions;
  // A replay hook may replace the list (conformance/); without a cookie the retry cannot be bound to this
  // ClientHello (§4.2.2), and that is a failure of ours, not a TypeError.
  const cookieExtension = findExtension(extensions, ExtensionType.cookie);
  if (cookieExtension === undefined) {
    throw tlsFailure('INTERNAL_ERROR', 'the HelloRetryRequest extensions carry no cookie');
  }
  const cookie = parseCookie(cookieExtension.body).slice();
  transcript.replaceWithMessageHash();
  const hrr = encodeServerHello({
    kind: 'hello_retry_request',
    legacyVersion: TLS12,
    legacySessionIdEcho: hello.legacySessionId,
    cipherSuite: negotiation.suite.code,
    legacyCompressionMethod: 0,
    extensions,
  });
  transcript.update(hrr);
  io.sendHandshake(hrr);
  // §D.4: in compatibility mode the server's dummy change_cipher_spec follows its first handshake message.
  if (hello.legacySessionId.length > 0) io.sendChangeCipherSpec();
  io.negotiated.helloRetried = true;
  return { kind: 'ExpectSecondClientHello', first: { hello, negotiation, cookie, transcript } };
}

function onSecondClientHello(first: FirstHello, message: HandshakeMessage, io: HandshakeIo): ServerState {
  const hello = clientHelloOf(message);
  checkTls13ClientHello(hello, io);
  // §4.1.2: the client "MUST send the same ClientHello without modification, except" key_share, early_data
  // removal, cookie, pre_shared_key and padding. We check the fields that would change the negotiation.
  const previous = first.hello;
  if (
    !bytesEqual(hello.random, previous.random) ||
    !bytesEqual(hello.legacySessionId, previous.legacySessionId) ||
    hello.cipherSuites.length !== previous.cipherSuites.length ||
    hello.cipherSuites.some((c, i) => c !== previous.cipherSuites[i])
  ) {
    throw tlsFailure('BAD_SECOND_CLIENT_HELLO', 'second ClientHello differs from the first');
  }
  const cookieExt = findExtension(hello.extensions, ExtensionType.cookie);
  if (cookieExt === undefined) throw tlsFailure('MISSING_EXTENSION', 'second ClientHello does not echo the cookie');
  if (!bytesEqual(parseCookie(cookieExt.body), first.cookie))
    throw tlsFailure('BAD_COOKIE', 'second ClientHello has a wrong cookie');
  if (findExtension(hello.extensions, ExtensionType.early_data) !== undefined) {
    throw tlsFailure('ILLEGAL_PARAMETER', 'early_data in the second ClientHello'); // §4.2.10
  }
  const negotiation = negotiate(hello, io, first.negotiation);
  // §4.1.4: the binder of the second ClientHello covers message_hash(ClientHello1) and the HRR as well.
  const psk = choosePsk(hello, negotiation, first.transcript, io);
  first.transcript.update(hello.raw);
  return sendServerFlight(hello, negotiation, psk, first.transcript, io);
}

// ---------------------------------------------------------------------------------------------
// ServerHello … Finished (RFC 8446 §4.1.3, §4.3, §4.4)

function sendServerFlight(
  hello: ParsedClientHello,
  negotiation: Negotiation,
  psk: SelectedPsk | null,
  transcript: TranscriptHash,
  io: HandshakeIo,
): ServerState {
  const { config } = io;
  // §7.1: client_early_traffic_secret is over the ClientHello alone.
  let earlySecret: EarlyTrafficSecret | null = null;
  if (psk?.acceptEarlyData) {
    earlySecret = psk.keys.schedule.clientEarlyTrafficSecret(psk.keys.earlySecret, transcript.digest());
    io.keylog('CLIENT_EARLY_TRAFFIC_SECRET', earlySecret);
  } else {
    skipEarlyData(hello, io);
  }
  const shExtensions: Extension[] = [];
  let sharedSecret: Uint8Array | null = null;
  if (psk === null || psk.dhe) {
    const kx = config.provider.group(negotiation.group)!;
    const answer = kx.respond(negotiation.clientShare!, config.randomBytes);
    sharedSecret = answer.sharedSecret;
    shExtensions.push({
      type: ExtensionType.key_share,
      body: encodeKeyShareServerHello({ group: kx.code, keyExchange: answer.share }),
    });
  }
  shExtensions.push({ type: ExtensionType.supported_versions, body: encodeSupportedVersionsServerHello(TLS13) });
  if (psk !== null) {
    shExtensions.push({ type: ExtensionType.pre_shared_key, body: encodePreSharedKeyServerHello(psk.index) });
  }
  const serverHello = encodeServerHello({
    kind: 'server_hello',
    legacyVersion: TLS12,
    random: config.randomBytes(32),
    legacySessionIdEcho: hello.legacySessionId,
    cipherSuite: negotiation.suite.code,
    legacyCompressionMethod: 0,
    extensions: config.replay?.serverHelloExtensions?.(shExtensions) ?? shExtensions,
  });
  transcript.update(serverHello);
  io.sendHandshake(serverHello);
  if (hello.legacySessionId.length > 0) io.sendChangeCipherSpec(); // §D.4 (no-op after an HRR's)
  const keys = deriveHandshakeKeys(io, negotiation.suite, sharedSecret, transcript, psk?.keys);
  io.installWriteSecret(keys.suite, keys.schedule, keys.serverSecret);
  if (earlySecret !== null) {
    // §4.2.10: the client's 0-RTT data and EndOfEarlyData come under the early key.
    io.installReadSecret(keys.suite, keys.schedule, earlySecret);
    wipe(earlySecret); // logged, and its key and IV are installed: nothing else derives from it (§7.1, §7.2)
    io.receiveEarlyData?.(config.maxEarlyData);
  } else {
    io.installReadSecret(keys.suite, keys.schedule, keys.clientSecret);
  }
  Object.assign(io.negotiated, {
    version: 'TLSv1.3',
    suite: negotiation.suite,
    group: psk === null || psk.dhe ? negotiation.group : null,
    alpn: negotiation.alpn,
    localChain: psk === null ? negotiation.certificate.key.chain : null,
    signatureScheme: psk === null ? negotiation.certificate.scheme : null,
  });
  if (findExtension(hello.extensions, ExtensionType.early_data) !== undefined) {
    io.setEarlyDataStatus?.(earlySecret !== null ? 'accepted' : 'rejected');
  }
  if (psk !== null) {
    io.negotiated.resumed = true;
    io.negotiated.peerCertificate = restoredPeer(psk.state);
  }
  // sessionStats() as OpenSSL counts TLS 1.3: a resumption is a hit, an offered ticket we could not use a miss.
  if (psk !== null) config.tls12.store.stats.hits++;
  else if (findExtension(hello.extensions, ExtensionType.pre_shared_key) !== undefined)
    config.tls12.store.stats.misses++;

  const extensions: Extension[] = [];
  if (negotiation.sentServerName) extensions.push({ type: ExtensionType.server_name, body: EMPTY_EXTENSION_BODY });
  if (negotiation.alpn !== null) {
    extensions.push({
      type: ExtensionType.application_layer_protocol_negotiation,
      body: encodeAlpn([asciiBytes(negotiation.alpn)]),
    });
  }
  // RFC 8449 §4: answer the client's record_size_limit (also when resuming); both limits apply from here.
  const recordSizeLimit = answerRecordSizeLimit(hello.extensions, config, 'TLSv1.3', io);
  if (recordSizeLimit !== undefined) extensions.push(recordSizeLimit);
  if (earlySecret !== null) extensions.push({ type: ExtensionType.early_data, body: EMPTY_EXTENSION_BODY });
  const encryptedExtensions = encodeEncryptedExtensions({
    extensions: config.replay?.encryptedExtensions?.(extensions) ?? extensions,
  });
  transcript.update(encryptedExtensions);
  io.sendHandshake(encryptedExtensions);

  // §4.2.6: the client will answer a CertificateRequest after the handshake (resumed or not).
  io.negotiated.postHandshakeAuth = findExtension(hello.extensions, ExtensionType.post_handshake_auth) !== undefined;
  if (psk !== null) {
    // §4.2.11: the PSK authenticates the server (no Certificate/CertificateVerify), and §4.3.2: "Servers
    // which are authenticating with a PSK MUST NOT send the CertificateRequest message in the main handshake".
    const finished = encodeFinished({ verifyData: finishedVerifyData(keys, 'server', transcript) });
    transcript.update(finished);
    io.sendHandshake(finished);
    const traffic = deriveApplicationKeys(io, keys, transcript);
    io.installWriteSecret(keys.suite, keys.schedule, traffic.serverSecret);
    const auth: ClientAuth = { keys, transcript, traffic, resumed: true };
    return earlySecret !== null
      ? { kind: 'ExpectEndOfEarlyData', auth, clientHandshakeSecret: keys.clientSecret }
      : { kind: 'ExpectClientFinished', auth };
  }
  // §4.6.2: with post-handshake authentication enabled (and offered), the request comes later.
  const requestClientCertificate =
    config.verifyMode !== CERT_NONE && !(config.postHandshakeAuth && io.negotiated.postHandshakeAuth);
  if (requestClientCertificate) {
    const request = encodeCertificateRequestTls13({
      certificateRequestContext: new Uint8Array(0),
      extensions:
        config.replay?.certificateRequestExtensions?.(certificateRequestExtensions(io)) ??
        certificateRequestExtensions(io),
    });
    transcript.update(request);
    io.sendHandshake(request);
  }

  const { key, scheme } = negotiation.certificate;
  // §4.4.2.1: a stapled OCSP response goes in the end-entity's CertificateEntry, only when asked for.
  const staple = stapledResponse(hello.extensions, key);
  const certificate = encodeCertificateTls13({
    certificateRequestContext: new Uint8Array(0),
    certificateList: key.chain.map((certData, i) => ({
      certData,
      extensions: i === 0 && staple !== null ? [certificateEntryStatus(staple)] : [],
    })),
  });
  transcript.update(certificate);
  io.sendHandshake(certificate);
  const content = certificateVerifyContent('server', transcript.digest());
  return whenReady(key.sign(scheme, content), 'signCertificateVerify', (signature): ServerState => {
    const certificateVerify = encodeCertificateVerify({ algorithm: scheme, signature });
    transcript.update(certificateVerify);
    io.sendHandshake(certificateVerify);
    const finished = encodeFinished({ verifyData: finishedVerifyData(keys, 'server', transcript) });
    transcript.update(finished);
    io.sendHandshake(finished);
    const traffic = deriveApplicationKeys(io, keys, transcript);
    io.installWriteSecret(keys.suite, keys.schedule, traffic.serverSecret);
    const auth: ClientAuth = { keys, transcript, traffic, resumed: false };
    return requestClientCertificate
      ? { kind: 'ExpectClientCertificate', auth }
      : { kind: 'ExpectClientFinished', auth };
  });
}

// ---------------------------------------------------------------------------------------------
// Client authentication and the client's Finished (RFC 8446 §4.4.2.4, §4.4.3, §4.4.4)

function onClientCertificate(
  state: Extract<ServerState, { kind: 'ExpectClientCertificate' }>,
  message: HandshakeMessage,
  io: HandshakeIo,
): ServerState {
  const certificate = parseCertificateTls13(message.body);
  // §4.4.2: the context echoes the CertificateRequest's (empty during the handshake).
  if (certificate.certificateRequestContext.length !== 0) {
    throw tlsFailure('ILLEGAL_PARAMETER', 'client Certificate context does not match the request');
  }
  for (const entry of certificate.certificateList) {
    checkExtensionsAllowed('CT', entry.extensions);
    const first = entry.extensions[0];
    if (first !== undefined)
      throw tlsFailure('UNSOLICITED_EXTENSION', 'unsolicited extension in the client Certificate');
  }
  state.auth.transcript.update(message.raw);
  if (certificate.certificateList.length === 0) {
    // §4.4.2.4: with no client certificate the server MAY continue or abort with certificate_required.
    if (io.config.verifyMode === CERT_REQUIRED) {
      throw tlsFailure('PEER_DID_NOT_RETURN_A_CERTIFICATE', 'peer did not return a certificate');
    }
    return { kind: 'ExpectClientFinished', auth: state.auth };
  }
  const verified = authenticatePeer({
    config: io.config,
    chain: certificate.certificateList.map((e) => e.certData.slice()),
    peerRole: 'client',
    serverHostname: null,
    signatureCache: io.signatureCache,
  });
  return whenReady(verified, 'verifyPeerCertificate', (peer): ServerState => {
    io.negotiated.peerCertificate = peer;
    return { kind: 'ExpectClientCertificateVerify', auth: state.auth, peer };
  });
}

function onClientCertificateVerify(
  state: Extract<ServerState, { kind: 'ExpectClientCertificateVerify' }>,
  message: HandshakeMessage,
  io: HandshakeIo,
): ServerState {
  const cv = parseCertificateVerify(message.body);
  const content = certificateVerifyContent('client', state.auth.transcript.digest());
  verifyCertificateVerify(
    io.config.provider,
    io.config.signatureSchemes,
    state.peer.publicKey,
    cv.algorithm,
    cv.signature,
    content,
  );
  io.negotiated.peerSignatureScheme = cv.algorithm;
  state.auth.transcript.update(message.raw);
  return { kind: 'ExpectClientFinished', auth: state.auth };
}

function onClientFinished(
  state: Extract<ServerState, { kind: 'ExpectClientFinished' }>,
  message: HandshakeMessage,
  io: HandshakeIo,
): ServerState {
  const { keys, transcript, traffic } = state.auth;
  const finished = parseFinished(message.body, keys.schedule.hash.outputLength);
  const proof = checkFinished(keys, 'client', transcript, finished.verifyData);
  transcript.update(message.raw);
  io.negotiated.clientFinished = finished.verifyData.slice();
  io.installReadSecret(keys.suite, keys.schedule, traffic.clientSecret);
  // §7.1: resumption_master_secret covers the transcript through the client Finished.
  const established: TrafficSecrets = {
    ...traffic,
    resumptionSecret: keys.schedule.resumptionMasterSecret(traffic.master, transcript.digest()),
    transcript,
  };
  io.enterTraffic(established);
  retireHandshakeKeys(keys); // the client's Finished was the last use of client_handshake_traffic_secret
  // §4.6.1: tickets right after the handshake (one after a resumption, as OpenSSL).
  const count = state.auth.resumed ? Math.min(1, io.config.ticketCount) : io.config.ticketCount;
  serverSendTickets(established, count, io);
  return { kind: 'Connected', finished: proof };
}

/** §4.5: EndOfEarlyData closes the 0-RTT data; the client's handshake key reads what follows. */
function onEndOfEarlyData(
  state: Extract<ServerState, { kind: 'ExpectEndOfEarlyData' }>,
  message: HandshakeMessage,
  io: HandshakeIo,
): ServerState {
  parseEmptyMessage(message.body, HandshakeType.end_of_early_data);
  state.auth.transcript.update(message.raw);
  io.endEarlyData?.();
  const { keys } = state.auth;
  io.installReadSecret(keys.suite, keys.schedule, state.clientHandshakeSecret);
  return { kind: 'ExpectClientFinished', auth: state.auth };
}

// ---------------------------------------------------------------------------------------------
// Resumption (RFC 8446 §4.2.9, §4.2.11) and 0-RTT (§4.2.10, §8)

/**
 * The first offered ticket we can resume from, with its binder checked, or null (full handshake).
 * Tickets that do not open (unknown key, damaged, expired), were issued for another hash, another server
 * name, or lack the client certificate we require are passed over (§4.2.11: "the server ... MUST ignore
 * any PSKs it cannot use"); a binder that does not verify aborts with decrypt_error (§4.2.11). `prefix`:
 * the transcript before a second ClientHello (message_hash, HelloRetryRequest).
 */
function choosePsk(
  hello: ParsedClientHello,
  negotiation: Negotiation,
  prefix: TranscriptHash | null,
  io: HandshakeIo,
): SelectedPsk | null {
  const pskExt = findExtension(hello.extensions, ExtensionType.pre_shared_key);
  if (pskExt === undefined || hello.pskBindersOffset === undefined) return null;
  const { config } = io;
  // §4.2.9: "If clients offer "pre_shared_key" without a "psk_key_exchange_modes" extension, servers
  // MUST abort the handshake."
  const modesExt = findExtension(hello.extensions, ExtensionType.psk_key_exchange_modes);
  if (modesExt === undefined) throw tlsFailure('MISSING_EXTENSION', 'pre_shared_key without psk_key_exchange_modes');
  const modes = parsePskKeyExchangeModes(modesExt.body);
  // psk_dhe_ke when offered (forward secrecy); psk_ke only when allowed.
  const dhe = modes.includes(PSK_DHE_KE);
  if (!dhe && !(config.allowPskKe && modes.includes(PSK_KE))) return null;
  const offer = parsePreSharedKeyClientHello(pskExt.body);
  const now = config.now();
  for (let index = 0; index < offer.identities.length; index++) {
    const identity = offer.identities[index]!;
    // Ours first; then the application's lookup (tickets we did not seal, RFC 8446 §4.2.11).
    const state =
      openTicket(config.tls12.store, identity.identity, config.provider, now) ??
      lookupTicket(config.ticketLookup ?? null, identity.identity, io.negotiated.serverName, config.provider, now);
    if (state === undefined) continue;
    const ticketSuite = tls13SuiteByCode(state.suiteCode);
    if (ticketSuite === undefined || ticketSuite.hash !== negotiation.suite.hash) continue;
    if (state.serverName !== io.negotiated.serverName) continue;
    // A ticket without the client certificate we require cannot stand in for it — unless the
    // certificate is to be asked for after the handshake anyway (§4.6.2).
    const deferred =
      config.postHandshakeAuth && findExtension(hello.extensions, ExtensionType.post_handshake_auth) !== undefined;
    if (config.verifyMode === CERT_REQUIRED && state.peerChain.length === 0 && !deferred) continue;
    const keys = pskSchedule(io, negotiation.suite, state.psk);
    const truncated = hello.raw.subarray(0, hello.pskBindersOffset);
    const hash = prefix === null ? keys.schedule.hash.digest(truncated) : prefix.digestWith(truncated);
    checkPskBinder(keys, hash, offer.binders[index]!);
    // §4.2.10: 0-RTT only with the first identity, the ticket's suite and ALPN, a plausible ticket age
    // (§8.3) and a ticket never used for early data before (§8.1 single-use tickets); last, since
    // claiming spends the ticket.
    const acceptEarlyData =
      prefix === null &&
      index === 0 &&
      (!dhe || negotiation.clientShare !== undefined) &&
      findExtension(hello.extensions, ExtensionType.early_data) !== undefined &&
      config.maxEarlyData > 0 &&
      state.maxEarlyData > 0 &&
      ticketSuite === negotiation.suite &&
      state.alpn === negotiation.alpn &&
      ticketAgeFresh(state, identity.obfuscatedTicketAge, now) &&
      config.antiReplay.claim(state.ticketId, state.issuedAt + state.lifetime * 1000, now);
    return { index, state, keys, dhe, acceptEarlyData };
  }
  return null;
}

/** Rejected 0-RTT data (early_data offered, not accepted) is skipped, not an error (§4.2.10). */
function skipEarlyData(hello: ParsedClientHello, io: HandshakeIo): void {
  if (findExtension(hello.extensions, ExtensionType.early_data) === undefined) return;
  io.skipRejectedEarlyData?.(Math.max(io.config.maxEarlyData, REJECTED_EARLY_DATA_ALLOWANCE));
}

/**
 * Sends `count` NewSessionTickets (§4.6.1): the resumption state sealed under the context's ticket keys
 * (shared with TLS 1.2 tickets), a fresh ticket_age_add, a per-connection nonce, and early_data with
 * max_early_data_size when 0-RTT is enabled.
 */
export function serverSendTickets(traffic: TrafficSecrets, count: number, io: HandshakeIo): void {
  const { config } = io;
  if (count <= 0 || traffic.resumptionSecret === undefined) return;
  const peer = io.negotiated.peerCertificate;
  for (let i = 0; i < count; i++) {
    const nonce = new Uint8Array(8);
    let n = traffic.ticketsIssued ?? 0;
    traffic.ticketsIssued = n + 1;
    for (let b = 7; b >= 0; b--, n = Math.floor(n / 256)) nonce[b] = n & 0xff;
    const ageAddBytes = config.randomBytes(4);
    const ageAdd = ((ageAddBytes[0]! << 24) | (ageAddBytes[1]! << 16) | (ageAddBytes[2]! << 8) | ageAddBytes[3]!) >>> 0;
    const now = config.now();
    const state: Tls13TicketState = {
      suiteCode: traffic.suite.code,
      psk: traffic.schedule.resumptionPsk(traffic.resumptionSecret, nonce),
      issuedAt: now,
      lifetime: config.ticketLifetime,
      ageAdd,
      maxEarlyData: config.maxEarlyData,
      ticketId: newTicketId(config.randomBytes),
      serverName: io.negotiated.serverName,
      alpn: io.negotiated.alpn,
      peerChain: peer?.chain ?? [],
      peerVerified: peer?.verified ?? false,
    };
    io.sendHandshake(
      encodeNewSessionTicketTls13({
        ticketLifetime: config.ticketLifetime,
        ticketAgeAdd: ageAdd,
        ticketNonce: nonce,
        ticket: sealTicket(config.tls12.store, state, config.provider, now, config.randomBytes),
        extensions:
          config.maxEarlyData > 0
            ? [{ type: ExtensionType.early_data, body: encodeEarlyDataNewSessionTicket(config.maxEarlyData) }]
            : [],
      }),
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Post-handshake client authentication (RFC 8446 §4.6.2)

/** A post-handshake CertificateRequest in flight and what its answer has shown so far. */
export interface PostHandshakeAuth {
  readonly kind: 'PostHandshakeAuth';
  readonly context: Uint8Array;
  readonly transcript: TranscriptHash;
  readonly expect: 'Certificate' | 'CertificateVerify' | 'Finished';
  readonly peer: PeerCertificate | null;
}

/**
 * CertificateRequest extensions (§4.3.2): signature_algorithms, signature_algorithms_cert, and
 * certificate_authorities (§4.2.4) naming our client-certificate anchors when configured.
 */
function certificateRequestExtensions(io: HandshakeIo): Extension[] {
  const { config } = io;
  const extensions: Extension[] = [
    { type: ExtensionType.signature_algorithms, body: encodeSignatureAlgorithms(config.signatureSchemes) },
    {
      type: ExtensionType.signature_algorithms_cert,
      body: encodeSignatureAlgorithms(config.certificateSignatureSchemes),
    },
  ];
  if (config.certificateAuthorities.length > 0) {
    extensions.push({
      type: ExtensionType.certificate_authorities,
      body: encodeCertificateAuthorities(config.certificateAuthorities),
    });
  }
  return extensions;
}

/** Sends a CertificateRequest with a fresh context over the handshake transcript (§4.4.1, §4.6.2). */
export function serverRequestPostHandshakeAuth(traffic: TrafficSecrets, io: HandshakeIo): PostHandshakeAuth {
  const { config } = io;
  const context = config.randomBytes(32).slice();
  const request = encodeCertificateRequestTls13({
    certificateRequestContext: context,
    extensions: certificateRequestExtensions(io),
  });
  const transcript = traffic.transcript!.clone();
  transcript.update(request);
  io.sendHandshake(request);
  return { kind: 'PostHandshakeAuth', context, transcript, expect: 'Certificate', peer: null };
}

/**
 * One message of the client's answer: Certificate (its context echoing ours), CertificateVerify,
 * Finished keyed by client_application_traffic_secret_N (§4.4). Returns the next step, or null when the
 * exchange is complete (the peer certificate is then the connection's).
 */
export function serverPostHandshakeAuthMessage(
  pha: PostHandshakeAuth,
  traffic: TrafficSecrets,
  clientSecret: ApplicationTrafficSecret,
  message: HandshakeMessage,
  io: HandshakeIo,
): PostHandshakeAuth | null | Suspended<PostHandshakeAuth | null> {
  const expected = {
    Certificate: HandshakeType.certificate,
    CertificateVerify: HandshakeType.certificate_verify,
    Finished: HandshakeType.finished,
  }[pha.expect];
  if (message.type !== expected) throw unexpected(message, `PostHandshakeAuth/${pha.expect}`);
  const { schedule } = traffic;
  if (pha.expect === 'Certificate') {
    const certificate = parseCertificateTls13(message.body);
    if (!bytesEqual(certificate.certificateRequestContext, pha.context)) {
      throw tlsFailure('ILLEGAL_PARAMETER', 'client Certificate context does not match the request');
    }
    for (const entry of certificate.certificateList) {
      checkExtensionsAllowed('CT', entry.extensions);
      if (entry.extensions[0] !== undefined)
        throw tlsFailure('UNSOLICITED_EXTENSION', 'unsolicited extension in the client Certificate');
    }
    pha.transcript.update(message.raw);
    if (certificate.certificateList.length === 0) {
      if (io.config.verifyMode === CERT_REQUIRED) {
        throw tlsFailure('PEER_DID_NOT_RETURN_A_CERTIFICATE', 'peer did not return a certificate');
      }
      return { ...pha, expect: 'Finished' };
    }
    const verified = authenticatePeer({
      config: io.config,
      chain: certificate.certificateList.map((e) => e.certData.slice()),
      peerRole: 'client',
      serverHostname: null,
      signatureCache: io.signatureCache,
    });
    // An asynchronous verifier parks the connection at verifyPeerCertificate, as during the handshake.
    return whenReady(verified, 'verifyPeerCertificate', (peer): PostHandshakeAuth | null => ({
      ...pha,
      expect: 'CertificateVerify',
      peer,
    }));
  }
  if (pha.expect === 'CertificateVerify') {
    const cv = parseCertificateVerify(message.body);
    verifyCertificateVerify(
      io.config.provider,
      io.config.signatureSchemes,
      pha.peer!.publicKey,
      cv.algorithm,
      cv.signature,
      certificateVerifyContent('client', pha.transcript.digest()),
    );
    io.negotiated.peerSignatureScheme = cv.algorithm;
    pha.transcript.update(message.raw);
    return { ...pha, expect: 'Finished' };
  }
  const finished = parseFinished(message.body, schedule.hash.outputLength);
  if (!schedule.verifyFinished(schedule.finishedKey(clientSecret), pha.transcript.digest(), finished.verifyData)) {
    throw tlsFailure('DIGEST_CHECK_FAILED', 'digest check failed');
  }
  if (pha.peer !== null) {
    io.negotiated.peerCertificate = pha.peer;
    // A fresh ticket that remembers the client certificate, as OpenSSL sends after post-handshake auth.
    serverSendTickets(traffic, Math.min(1, io.config.ticketCount), io);
  }
  return null;
}
