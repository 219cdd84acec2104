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
  encodeCookie,
  encodeKeyShareHelloRetryRequest,
  encodeKeyShareServerHello,
  encodeSignatureAlgorithms,
  encodeSupportedVersionsServerHello,
  findExtension,
  parseAlpn,
  parseCookie,
  parseKeyShareClientHello,
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
  encodeServerHello,
  type ParsedClientHello,
  parseCertificateTls13,
  parseCertificateVerify,
  parseClientHello,
  parseFinished,
} from '../codec/messages.js';
import { CERT_NONE, CERT_REQUIRED } from '../constants.js';
import type { GroupName } from '../crypto/provider.js';
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
import type { CertifiedKey } from '../handshake/config.js';
import { groupCode } from '../handshake/groups.js';
import { authenticatePeer, type PeerCertificate } from '../handshake/peer-certificate.js';
import { certificateVerifyContent, chooseCertificate, verifyCertificateVerify } from '../handshake/signatures.js';
import type { Tls13Suite } from '../handshake/suites.js';

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
}

export type ServerState =
  | { readonly kind: 'ExpectClientHello' }
  | { readonly kind: 'ExpectSecondClientHello'; readonly first: FirstHello }
  | { readonly kind: 'ExpectClientCertificate'; readonly auth: ClientAuth }
  | { readonly kind: 'ExpectClientCertificateVerify'; readonly auth: ClientAuth; readonly peer: PeerCertificate }
  | { readonly kind: 'ExpectClientFinished'; readonly auth: ClientAuth }
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
  const hello = parseClientHello(message.body, message.raw.slice());
  io.clientRandom = hello.random.slice();
  checkTls13ClientHello(hello, io);
  const serverNameExt = findExtension(hello.extensions, ExtensionType.server_name);
  const serverName = serverNameExt === undefined ? null : (serverNameHost(parseServerName(serverNameExt.body)) ?? null);
  io.negotiated.serverName = serverName;
  const decision = io.serverNameCallback(serverName);
  return whenReady(decision, 'serverNameCallback', (d): ServerState => {
    if (d.alert !== undefined) {
      // The callback chose the alert (Python: an ALERT_DESCRIPTION_* return value).
      throw new SSLError(`server name callback aborted the handshake (alert ${d.alert})`, {
        library: 'SSL',
        reason: 'CALLBACK_FAILED',
        alert: d.alert,
      });
    }
    if (d.config !== undefined) io.config = d.config;
    const negotiation = negotiate(hello, io, undefined);
    const transcript = new TranscriptHash(io.config.provider.hash(negotiation.suite.hash));
    transcript.update(hello.raw);
    if (negotiation.clientShare === undefined) return sendHelloRetryRequest(hello, negotiation, transcript, io);
    return sendServerFlight(hello, negotiation, transcript, io);
  });
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
  io.negotiated.sharedSuites = hello.cipherSuites.flatMap((c) => offered.filter((s) => s.code === c));
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
  const certificate = chooseCertificate(config.certificates, parseSignatureAlgorithms(sigAlgsExt.body));
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
  const cookie = parseCookie(findExtension(extensions, ExtensionType.cookie)!.body).slice();
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
  const hello = parseClientHello(message.body, message.raw.slice());
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
  first.transcript.update(hello.raw);
  return sendServerFlight(hello, negotiation, first.transcript, io);
}

// ---------------------------------------------------------------------------------------------
// ServerHello … Finished (RFC 8446 §4.1.3, §4.3, §4.4)

function sendServerFlight(
  hello: ParsedClientHello,
  negotiation: Negotiation,
  transcript: TranscriptHash,
  io: HandshakeIo,
): ServerState {
  const { config } = io;
  const kx = config.provider.group(negotiation.group)!;
  const { share, sharedSecret } = kx.respond(negotiation.clientShare!, config.randomBytes);
  const serverHello = encodeServerHello({
    kind: 'server_hello',
    legacyVersion: TLS12,
    random: config.randomBytes(32),
    legacySessionIdEcho: hello.legacySessionId,
    cipherSuite: negotiation.suite.code,
    legacyCompressionMethod: 0,
    extensions: [
      { type: ExtensionType.key_share, body: encodeKeyShareServerHello({ group: kx.code, keyExchange: share }) },
      { type: ExtensionType.supported_versions, body: encodeSupportedVersionsServerHello(TLS13) },
    ],
  });
  transcript.update(serverHello);
  io.sendHandshake(serverHello);
  if (hello.legacySessionId.length > 0) io.sendChangeCipherSpec(); // §D.4 (no-op after an HRR's)
  const keys = deriveHandshakeKeys(io, negotiation.suite, sharedSecret, transcript);
  io.installWriteSecret(keys.suite, keys.schedule, keys.serverSecret);
  io.installReadSecret(keys.suite, keys.schedule, keys.clientSecret);
  Object.assign(io.negotiated, {
    version: 'TLSv1.3',
    suite: negotiation.suite,
    group: negotiation.group,
    alpn: negotiation.alpn,
    localChain: negotiation.certificate.key.chain,
    signatureScheme: negotiation.certificate.scheme,
  });

  const extensions: Extension[] = [];
  if (negotiation.sentServerName) extensions.push({ type: ExtensionType.server_name, body: EMPTY_EXTENSION_BODY });
  if (negotiation.alpn !== null) {
    extensions.push({
      type: ExtensionType.application_layer_protocol_negotiation,
      body: encodeAlpn([asciiBytes(negotiation.alpn)]),
    });
  }
  const encryptedExtensions = encodeEncryptedExtensions({
    extensions: config.replay?.encryptedExtensions?.(extensions) ?? extensions,
  });
  transcript.update(encryptedExtensions);
  io.sendHandshake(encryptedExtensions);

  const requestClientCertificate = config.verifyMode !== CERT_NONE;
  if (requestClientCertificate) {
    const request = encodeCertificateRequestTls13({
      certificateRequestContext: new Uint8Array(0),
      extensions: [
        { type: ExtensionType.signature_algorithms, body: encodeSignatureAlgorithms(config.signatureSchemes) },
        {
          type: ExtensionType.signature_algorithms_cert,
          body: encodeSignatureAlgorithms(config.certificateSignatureSchemes),
        },
      ],
    });
    transcript.update(request);
    io.sendHandshake(request);
  }

  const { key, scheme } = negotiation.certificate;
  const certificate = encodeCertificateTls13({
    certificateRequestContext: new Uint8Array(0),
    certificateList: key.chain.map((certData) => ({ certData, extensions: [] })),
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
    const auth: ClientAuth = { keys, transcript, traffic };
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
  io.enterTraffic(traffic);
  return { kind: 'Connected', finished: proof };
}
