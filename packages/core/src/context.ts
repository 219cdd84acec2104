/**
 * Python's `ssl.SSLContext` (3.7) for the sans-IO engine: configuration with Python's rules and
 * defaults, certificate and trust loading from data (no file system: `cafile`/`capath` need
 * @sanstls/node-adapter), and {@link SSLContext.wrapBio}.
 *
 * Beyond Python: injected RNG, clock and crypto provider for reproducible runs
 * (`new SSLContext(PROTOCOL_TLS_CLIENT, { randomBytes, now, cryptoProvider })`), `setCiphersuites`
 * (OpenSSL's TLS 1.3 spelling), `setGroups`/`groups`, `keylogCallback` (NSS key-log lines),
 * `verifyCallback` (custom verification, may be async), `pinnedPublicKeys` (SPKI SHA-256 pins),
 * `recordPaddingBlock` (RFC 8446 §5.4 padding).
 * @module
 */

import type { PeerCertDict, PrivateKey } from '@sanstls/x509';
import {
  decodeCertificate,
  loadCertificates,
  type PasswordInput,
  parseCertificate,
  parsePublicKey,
  pemBlocks,
  SSLError,
  signatureAlgorithmFromTlsScheme,
  TrustStore,
  VERIFY_X509_TRUSTED_FIRST,
  VerifiedChainCache,
  VerifiedSignatureCache,
} from '@sanstls/x509';
import { evaluateCipherSuites, tls12CipherInfo } from './cipher-string.js';
import {
  CERT_NONE,
  CERT_OPTIONAL,
  CERT_REQUIRED,
  DEFAULT_OPTIONS,
  OP_NO_TICKET,
  OP_NO_TLSv1_2,
  OP_NO_TLSv1_3,
  PROTOCOL_TLS,
  PROTOCOL_TLS_CLIENT,
  PROTOCOL_TLS_SERVER,
  Purpose,
  TLSVersion,
} from './constants.js';
import type { CryptoProvider, GroupName } from './crypto/provider.js';
import { authorityNames } from './handshake/certificate-selection.js';
import { bytesEqual } from './handshake/common.js';
import type {
  Awaitable,
  CertifiedKey,
  EngineConfig,
  OcspResponseCallback,
  ReplayHooks,
  VerifyCallback,
} from './handshake/config.js';
import { DEFAULT_GROUPS, DEFAULT_KEY_SHARE_GROUPS, parseGroupName } from './handshake/groups.js';
import { spkiSha256 } from './handshake/peer-certificate.js';
import { certificateSignatureSchemes, DEFAULT_SIGNATURE_SCHEMES, P521_SCHEME } from './handshake/signatures.js';
import { defaultSuiteOrder, type Tls13Suite, tls13SuiteByName } from './handshake/suites.js';
import type { TlsLimits } from './limits.js';
import type { MemoryBIO } from './memorybio.js';
import { redactSecrets } from './redact.js';
import { dheGroupsFrom, FFDHE_GROUPS, Tls12ContextState } from './session12.js';
import { defaultCryptoProvider, privateKeySupport } from './slots.js';
import { SSLObject, type WrapBioOptions } from './sslobject.js';
import { AntiReplayStore, DEFAULT_TICKET_COUNT, MAX_TICKET_LIFETIME, type TicketLookupCallback } from './tickets.js';

export interface SSLContextOptions {
  /** Replaces the provider's CSPRNG (deterministic tests, RFC 8448 replays). */
  randomBytes?: (n: number) => Uint8Array;
  /** Milliseconds since the epoch, for certificate validity (default: the platform clock). */
  now?: () => number;
  /** Crypto provider (default: the pure-JS noble provider). */
  cryptoProvider?: CryptoProvider;
  /** Server: the session-ticket key to start with, as {@link SSLContext.setTicketKeys} takes it (48 bytes). */
  ticketKeys?: Uint8Array;
}

/** Python's sni_callback: may assign `sslObject.context`, return an ALERT_DESCRIPTION_* to abort, or a Promise. */
/** {@link SSLContext.ocspRequestCallback}. */
export type OcspRequestCallback = (sslObject: SSLObject) => Awaitable<number | null | undefined>;

export type SniCallback = (
  sslObject: SSLObject,
  serverName: string | null,
  context: SSLContext,
) => Awaitable<number | null | undefined>;

/** One entry of get_ciphers(), as Python returns it. */
export interface CipherInfo {
  id: number;
  name: string;
  protocol: string;
  description: string;
  strength_bits: number;
  alg_bits: number;
  aead: boolean;
  symmetric: string;
  digest: null;
  kea: string;
  auth: string;
}

/**
 * The signature_algorithms and signature_algorithms_cert lists a connection sends (RFC 8446 §4.2.3), with
 * and without P-521 (issue #4): built once instead of per connection (issue #9); the engine's config
 * types them read-only.
 */
function signatureSchemeLists(schemes: readonly number[]) {
  return { certificateVerify: schemes, certificate: certificateSignatureSchemes(schemes) } as const;
}
const SCHEMES_WITHOUT_P521 = /* @__PURE__ */ signatureSchemeLists([...DEFAULT_SIGNATURE_SCHEMES]);
const SCHEMES_WITH_P521 = /* @__PURE__ */ signatureSchemeLists([...DEFAULT_SIGNATURE_SCHEMES, P521_SCHEME]);

function settingError(text: string, reason = 'BAD_VALUE'): SSLError {
  return new SSLError(text, { library: 'SSL', reason });
}

function notSupported(text: string): SSLError {
  return new SSLError(text, { library: 'SSL', reason: 'NOT_SUPPORTED' });
}

function suiteInfo(suite: Tls13Suite): CipherInfo {
  return {
    id: 0x03000000 | suite.code,
    name: suite.name,
    protocol: 'TLSv1.3',
    description: `${suite.name.padEnd(30)} TLSv1.3 Kx=${'any'.padEnd(8)} Au=${'any'.padEnd(5)} Enc=${suite.enc.padEnd(22)} Mac=AEAD`,
    strength_bits: suite.bits,
    alg_bits: suite.bits,
    aead: true,
    symmetric: suite.symmetric,
    digest: null,
    kea: 'kx-any',
    auth: 'auth-any',
  };
}

/** Splits DER bytes holding one or more concatenated certificates. */
function splitDerCertificates(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (bytes[at] !== 0x30 || at + 2 > bytes.length)
      throw settingError('cadata: not DER certificates', 'NO_CERTIFICATE_OR_CRL_FOUND');
    let length = bytes[at + 1]!;
    let header = 2;
    if (length & 0x80) {
      const count = length & 0x7f;
      if (count === 0 || count > 4 || at + 2 + count > bytes.length)
        throw settingError('cadata: bad DER length', 'NO_CERTIFICATE_OR_CRL_FOUND');
      length = 0;
      for (let i = 0; i < count; i++) length = length * 256 + bytes[at + 2 + i]!;
      header += count;
    }
    const end = at + header + length;
    if (end > bytes.length) throw settingError('cadata: truncated DER certificate', 'NO_CERTIFICATE_OR_CRL_FOUND');
    out.push(bytes.subarray(at, end));
    at = end;
  }
  return out;
}

export class SSLContext {
  /** The protocol selector given to the constructor (read-only, as Python). */
  readonly protocol: number;
  readonly provider: CryptoProvider;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  readonly randomBytes: (n: number) => Uint8Array;
  /** Verified (issuer, certificate) signature pairs, shared by this context's connections. */
  readonly signatureCache: VerifiedSignatureCache = new VerifiedSignatureCache(1024);
  /**
   * Peer chains met before, by their exact bytes: parsed once, and a validated path reused while the trust
   * store, the verify flags and the provider are unchanged (validity at {@link now} and the hostname are
   * checked on every handshake; failures are never kept). Shared by this context's connections.
   */
  readonly verifiedChainCache: VerifiedChainCache = new VerifiedChainCache(32);

  private verifyModeValue: number;
  private checkHostnameValue: boolean;
  options: number = DEFAULT_OPTIONS;
  minimumVersion: number = TLSVersion.TLSv1_2;
  maximumVersion: number = TLSVersion.MAXIMUM_SUPPORTED;
  verifyFlags: number = VERIFY_X509_TRUSTED_FIRST;
  hostnameChecksCommonName = true;
  /**
   * TLS 1.3 post-handshake client authentication (RFC 8446 §4.6.2). Client: offer post_handshake_auth.
   * Server: no CertificateRequest in the handshake; `sslObject.verifyClientPostHandshake()` asks later.
   */
  postHandshakeAuth = false;
  /** Python 3.8's num_tickets: TLS 1.3 NewSessionTickets a server sends after a full handshake (OpenSSL: 2). */
  numTickets = DEFAULT_TICKET_COUNT;
  /**
   * Server: the most 0-RTT early data accepted per connection (RFC 8446 §4.2.10), announced in tickets;
   * 0 (default) disables 0-RTT. Early data can be replayed across servers not sharing this context's
   * anti-replay store: accept it only for idempotent requests.
   */
  maxEarlyData = 0;
  /** Allow psk_ke resumption (no (EC)DHE: no forward secrecy, RFC 8446 §4.2.9). Default false. */
  allowPskKe = false;
  /** Single-use ticket ids for 0-RTT anti-replay (RFC 8446 §8.1), shared by this context's connections. */
  readonly antiReplay: AntiReplayStore = new AntiReplayStore();
  sniCallback: SniCallback | null = null;
  /**
   * Server: called when the client asks for a stapled OCSP response (status_request, RFC 6066 §8) and the
   * handshake is a full one — never on resumption, which sends no Certificate (OpenSSL's
   * SSL_CTX_set_tlsext_status_cb; Node's 'OCSPRequest'). It may call `sslObject.setOcspResponse()` and, as
   * `sniCallback`, return nothing, an ALERT_DESCRIPTION_* to abort with, or a Promise of either.
   */
  ocspRequestCallback: OcspRequestCallback | null = null;
  /**
   * Server, TLS 1.3: resumption state for a pre_shared_key identity this context's ticket keys cannot
   * open — tickets of another implementation or of a ticket store keyed by identity (OpenSSL's
   * SSL_CTX_set_psk_find_session_callback). Return null to pass the identity over (full handshake).
   */
  ticketLookupCallback: TicketLookupCallback | null = null;
  /** Receives one NSS key-log line per secret (`CLIENT_HANDSHAKE_TRAFFIC_SECRET <random> <secret>`). */
  keylogCallback: ((line: string) => void) | null = null;
  /** Custom certificate verification (see VerifyCallback); may return a Promise. */
  verifyCallback: VerifyCallback | null = null;
  /** SPKI pins: base64 SHA-256 of SubjectPublicKeyInfo; a validated chain must contain one. */
  pinnedPublicKeys: string[] = [];
  /** RFC 8446 §5.4 record padding: pad protected records to a multiple of this many bytes (0: none). */
  recordPaddingBlock = 0;
  /** @internal Byte-exact replay of published traces (tests only). */
  replayHooks: ReplayHooks | null = null;
  /**
   * Client: ask the server for a stapled OCSP response (status_request, RFC 6066 §8; Node's
   * `requestOCSP`). The response is `sslObject.ocspResponse` and goes to {@link ocspResponseCallback}.
   */
  requestOcsp = false;
  /**
   * Client, with {@link requestOcsp}: called once per full handshake with the stapled DER response (null
   * when none) and the server's chain; returning false aborts with bad_certificate_status_response.
   * The response is not parsed or checked here (Node's `OCSPResponse` event is the same contract).
   */
  ocspResponseCallback: OcspResponseCallback | null = null;
  /**
   * List the subjects of the CA certificates loaded with loadVerifyLocations as certificate_authorities
   * (RFC 8446 §4.2.4). Server: in the CertificateRequest (also the TLS 1.2 field, RFC 5246 §7.4.4), so
   * clients holding several chains pick one we accept (OpenSSL's client CA list). Client: in the
   * ClientHello, so a server holding several chains picks one we trust. Default false (with a system
   * store that is a hundred names or more in every handshake).
   */
  sendCertificateAuthorities = false;
  private recordSizeLimitValue: number | null = null;
  private keyUpdateAfterRecordsValue: number | null = null;
  private authorityCache: { count: number; names: Uint8Array[] } | null = null;
  /**
   * Resource limits of this context's connections (limits.ts `TlsLimits`: handshake message and chain
   * sizes, floods, buffered data); unset ones keep their safe defaults. Read when a connection is created.
   */
  limits: Partial<TlsLimits> = {};

  private readonly trust = new TrustStore();
  private certified: CertifiedKey[] = [];
  private suites: Tls13Suite[] | null = null;
  /** TLS 1.2 cipher list, policy, session cache, ticket keys and counters (issue #6). */
  readonly tls12: Tls12ContextState = new Tls12ContextState();
  private groupList: GroupName[] | null = null;
  private alpn: string[] = [];
  private readonly stats = { connect: 0, connect_good: 0, accept: 0, accept_good: 0 };

  constructor(protocol: number = PROTOCOL_TLS, options: SSLContextOptions = {}) {
    if (protocol !== PROTOCOL_TLS && protocol !== PROTOCOL_TLS_CLIENT && protocol !== PROTOCOL_TLS_SERVER) {
      throw notSupported(
        `protocol ${protocol} is not supported: only PROTOCOL_TLS, PROTOCOL_TLS_CLIENT and PROTOCOL_TLS_SERVER (fixed-version protocols are deprecated)`,
      );
    }
    this.protocol = protocol;
    this.provider = options.cryptoProvider ?? defaultCryptoProvider();
    this.randomBytes = options.randomBytes ?? ((n) => this.provider.randomBytes(n));
    this.now = options.now ?? (() => Date.now());
    // Python: PROTOCOL_TLS_CLIENT enables CERT_REQUIRED and check_hostname.
    const client = protocol === PROTOCOL_TLS_CLIENT;
    this.verifyModeValue = client ? CERT_REQUIRED : CERT_NONE;
    this.checkHostnameValue = client;
    if (options.ticketKeys !== undefined) this.setTicketKeys(options.ticketKeys);
  }

  // -------------------------------------------------------------------------------------------
  // Extensions (RFC 8449 record_size_limit, RFC 8446 §5.5 key usage limits, RFC 6066 §8 OCSP stapling)

  /**
   * record_size_limit (RFC 8449): the largest protected record we accept — in TLS 1.3 the whole
   * TLSInnerPlaintext, content type included (64..16385), in TLS 1.2 the fragment (capped at 16384).
   * null (default): a client announces none; a server answers a client's limit with the protocol
   * maximum. The peer's announced limit is always honoured when we send.
   */
  get recordSizeLimit(): number | null {
    return this.recordSizeLimitValue;
  }

  set recordSizeLimit(limit: number | null) {
    // RFC 8449 §4: values below 64 are illegal; above 2^14 + 1 no TLS version can use.
    if (limit !== null && (!Number.isInteger(limit) || limit < 64 || limit > 2 ** 14 + 1)) {
      throw settingError('record_size_limit must be an integer from 64 to 16385');
    }
    this.recordSizeLimitValue = limit;
  }

  /**
   * TLS 1.3: records sent under one application write key before an automatic KeyUpdate (RFC 8446
   * §4.6.3, §5.5). null (default): the suite's limit — 2^24.5 records for AES-GCM (§5.5), none before
   * our 2^48 sequence bound for ChaCha20-Poly1305. Small values make KeyUpdates testable.
   */
  get keyUpdateAfterRecords(): number | null {
    return this.keyUpdateAfterRecordsValue;
  }

  set keyUpdateAfterRecords(records: number | null) {
    if (records !== null && (!Number.isInteger(records) || records < 1)) {
      throw settingError('keyUpdateAfterRecords must be a positive integer or null');
    }
    this.keyUpdateAfterRecordsValue = records;
  }

  /**
   * Server: the DER OCSP response to staple (RFC 6066 §8; in TLS 1.3 inside the leaf's CertificateEntry,
   * RFC 8446 §4.4.2.1) when a client asks, for the chain whose leaf is `certificate` (PEM or DER), or
   * the chain loaded last. null removes it. Loading a new chain of the same key type drops it.
   */
  setOcspResponse(response: Uint8Array | null, certificate?: string | Uint8Array): void {
    const leafDer = certificate === undefined ? undefined : loadCertificates(certificate)[0]!.der;
    const target =
      leafDer === undefined
        ? this.certified[this.certified.length - 1]
        : this.certified.find((k) => bytesEqual(k.chain[0]!, leafDer));
    if (target === undefined) throw settingError('setOcspResponse: no such certificate chain is loaded');
    if (response !== null && response.length === 0) throw settingError('setOcspResponse: empty OCSP response');
    const updated: CertifiedKey = { ...target, ocspResponse: response === null ? null : response.slice() };
    this.certified = this.certified.map((k) => (k === target ? updated : k));
  }

  /** DER subjects of the loaded CA certificates (for certificate_authorities), recomputed when trust changes. */
  private authorityNameList(): Uint8Array[] {
    const anchors = this.trust.certificates();
    if (this.authorityCache === null || this.authorityCache.count !== anchors.length) {
      this.authorityCache = { count: anchors.length, names: authorityNames(anchors) };
    }
    return this.authorityCache.names;
  }

  // -------------------------------------------------------------------------------------------
  // Verification mode and hostname checking (Python's coupling)

  get verifyMode(): number {
    return this.verifyModeValue;
  }

  set verifyMode(mode: number) {
    if (mode !== CERT_NONE && mode !== CERT_OPTIONAL && mode !== CERT_REQUIRED)
      throw settingError('invalid value for verify_mode');
    if (mode === CERT_NONE && this.checkHostnameValue) {
      throw settingError('Cannot set verify_mode to CERT_NONE when check_hostname is enabled.');
    }
    this.verifyModeValue = mode;
  }

  get checkHostname(): boolean {
    return this.checkHostnameValue;
  }

  set checkHostname(value: boolean) {
    // Python 3.7: enabling hostname checks switches CERT_NONE to CERT_REQUIRED.
    if (value && this.verifyModeValue === CERT_NONE) this.verifyModeValue = CERT_REQUIRED;
    this.checkHostnameValue = value;
  }

  // -------------------------------------------------------------------------------------------
  // Certificates and trust

  /**
   * Loads our certificate chain and private key (PEM text or DER; the key may sit in the certificate
   * PEM). Several chains may be loaded (RSA, ECDSA, Ed25519): one per key type, a new one replacing
   * the old; each handshake picks the one the peer's signature_algorithms allow.
   */
  loadCertChain(cert: string | Uint8Array, key?: string | Uint8Array | null, password?: PasswordInput | null): void {
    const chain = loadCertificates(cert);
    const leaf = chain[0]!;
    const keySource = key ?? cert;
    if (typeof keySource !== 'string' && keySource[0] === 0x30 && key === undefined) {
      throw new SSLError('no private key: pass the key, or PEM holding both', {
        library: 'PEM',
        reason: 'NO_START_LINE',
      });
    }
    // Through its slot (slots.ts): the client-only entry leaves the key parsers out until installed.
    const keys = privateKeySupport();
    const privateKey = keys.loadPrivateKey(keySource, password ?? undefined);
    const publicKey = parsePublicKey(leaf.spki.der);
    if (!keys.privateKeyMatchesPublicKey(privateKey, publicKey)) {
      throw new SSLError('key values mismatch', { library: 'X509', reason: 'KEY_VALUES_MISMATCH' });
    }
    this.addCertifiedKey({
      chain: chain.map((c) => c.der),
      leaf,
      publicKey,
      sign: (scheme, content) => this.signWith(privateKey, scheme, content),
    });
  }

  /**
   * Adds a chain whose signatures come from elsewhere (a remote signer, a hardware key, WebCrypto): the
   * signer may return a Promise, which parks the handshake at `signCertificateVerify`.
   */
  loadCertChainWithSigner(
    cert: string | Uint8Array,
    signer: (scheme: number, content: Uint8Array) => Awaitable<Uint8Array>,
  ): void {
    const chain = loadCertificates(cert);
    const leaf = chain[0]!;
    this.addCertifiedKey({
      chain: chain.map((c) => c.der),
      leaf,
      publicKey: parsePublicKey(leaf.spki.der),
      sign: signer,
    });
  }

  private addCertifiedKey(key: CertifiedKey): void {
    const kind = key.publicKey.kind === 'ec' ? `ec-${key.publicKey.curve}` : key.publicKey.kind;
    const sameKind = (k: CertifiedKey) =>
      (k.publicKey.kind === 'ec' ? `ec-${k.publicKey.curve}` : k.publicKey.kind) === kind;
    this.certified = [...this.certified.filter((k) => !sameKind(k)), key];
  }

  private signWith(privateKey: PrivateKey, scheme: number, content: Uint8Array): Uint8Array {
    const algorithm = signatureAlgorithmFromTlsScheme(scheme);
    if (algorithm === undefined)
      throw settingError(`cannot sign with scheme 0x${scheme.toString(16)}`, 'INTERNAL_ERROR');
    return this.provider.sign(algorithm, privateKey, content, this.randomBytes);
  }

  /**
   * Loads trust anchors (and CRLs) from `cadata`: PEM text with one or more certificates, or DER bytes.
   * `cafile`/`capath` need the file system: use @sanstls/node-adapter's SSLContext.
   */
  loadVerifyLocations(
    cafile?: string | null | { cafile?: string | null; capath?: string | null; cadata?: string | Uint8Array | null },
    capath?: string | null,
    cadata?: string | Uint8Array | null,
  ): void {
    if (cafile !== null && typeof cafile === 'object') {
      this.loadVerifyLocations(cafile.cafile ?? undefined, cafile.capath ?? undefined, cafile.cadata ?? undefined);
      return;
    }
    if (cafile != null || capath != null) {
      throw notSupported(
        'cafile and capath need file access: use the SSLContext of @sanstls/node-adapter, or pass cadata',
      );
    }
    if (cadata == null) throw settingError('cafile, capath and cadata cannot be all omitted');
    let added = 0;
    if (typeof cadata === 'string') {
      for (const block of pemBlocks(cadata)) {
        if (block.label === 'CERTIFICATE' || block.label === 'TRUSTED CERTIFICATE') {
          parseCertificate(block.der); // malformed anchors are reported to the caller that supplied them
          this.trust.add(block.der);
          added++;
        } else if (block.label === 'X509 CRL') {
          this.trust.addCrl(block.der);
          added++;
        }
      }
    } else {
      for (const der of splitDerCertificates(cadata)) {
        parseCertificate(der);
        this.trust.add(der.slice());
        added++;
      }
    }
    if (added === 0)
      throw new SSLError('no certificate or crl found', { library: 'X509', reason: 'NO_CERTIFICATE_OR_CRL_FOUND' });
  }

  /** The trust store (shared with verifyChain). */
  get trustStore(): TrustStore {
    return this.trust;
  }

  /** Loaded CA certificates (those marked CA), as dicts or DER. */
  getCaCerts(binaryForm?: false): PeerCertDict[];
  getCaCerts(binaryForm: true): Uint8Array[];
  getCaCerts(binaryForm = false): (PeerCertDict | Uint8Array)[] {
    const cas = this.trust
      .certificates()
      .map((der) => parseCertificate(der))
      .filter((c) => c.basicConstraints?.ca === true);
    return cas.map((c) => (binaryForm ? c.der : decodeCertificate(c)));
  }

  /** Python's cert_store_stats(). */
  certStoreStats(): { x509: number; crl: number; x509_ca: number } {
    const certs = this.trust.certificates().map((der) => parseCertificate(der));
    return {
      x509: certs.length,
      crl: this.trust.crls().length,
      x509_ca: certs.filter((c) => c.basicConstraints?.ca === true).length,
    };
  }

  /** File-system trust needs @sanstls/node-adapter. */
  loadDefaultCerts(_purpose: Purpose = Purpose.SERVER_AUTH): void {
    throw notSupported('the system trust store needs file access: use the SSLContext of @sanstls/node-adapter');
  }

  setDefaultVerifyPaths(): void {
    throw notSupported('the system trust store needs file access: use the SSLContext of @sanstls/node-adapter');
  }

  /**
   * Enables DHE_RSA suites (TLS 1.2, off by default) with an RFC 7919 group: PEM/DER DH parameters holding
   * an RFC 7919 prime, or a group name (`ffdhe2048`, `ffdhe3072`, `ffdhe4096`). Other primes are refused.
   * File paths need @sanstls/node-adapter.
   */
  loadDhParams(dhparams: string | Uint8Array): void {
    this.tls12.dheGroups = dheGroupsFrom(dhparams, this.provider);
  }

  // -------------------------------------------------------------------------------------------
  // Ciphers, groups, ALPN

  /**
   * OpenSSL cipher string for the TLS 1.2 suites (grammar in cipher-string.ts; like Python, it does not
   * affect TLS 1.3 suites). Raises "No cipher can be selected." when it selects nothing.
   */
  setCiphers(ciphers: string): void {
    const selected = evaluateCipherSuites(ciphers);
    if (selected.length === 0)
      throw new SSLError('No cipher can be selected.', { library: 'SSL', reason: 'NO_CIPHER_MATCH' });
    this.tls12.suites = selected;
  }

  /** The TLS 1.2 cipher list selected by setCiphers, in preference order. */
  get tls12Ciphers(): readonly string[] {
    return this.tls12.suites.map((s) => s.name);
  }

  /** TLS 1.3 suites in OpenSSL's spelling: `TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256`. */
  setCiphersuites(suites: string): void {
    const names = suites
      .split(':')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    const list: Tls13Suite[] = [];
    for (const name of names) {
      const suite = tls13SuiteByName(name);
      if (suite === undefined)
        throw new SSLError(`unknown or unsupported TLS 1.3 cipher suite '${name}'`, {
          library: 'SSL',
          reason: 'NO_CIPHER_MATCH',
        });
      if (!list.includes(suite)) list.push(suite);
    }
    this.suites = list;
  }

  /** Enabled ciphers in priority order, as Python's get_ciphers() dicts. */
  getCiphers(): CipherInfo[] {
    // Python lists the TLS 1.3 suites, then the TLS 1.2 ones of the cipher string (issue #6).
    return [...this.tls13Suites().map(suiteInfo), ...this.tls12.suites.map(tls12CipherInfo)];
  }

  private tls13Suites(): Tls13Suite[] {
    return this.suites ?? defaultSuiteOrder(this.provider);
  }

  /**
   * Key-exchange groups in preference order (IANA, OpenSSL or NIST spellings). RFC 7919 names (`ffdhe2048`,
   * `ffdhe3072`, `ffdhe4096`) enable the TLS 1.2 DHE_RSA suites with those groups, as loadDhParams does
   * (issue #6: DHE only when enabled); the other names are the ECDHE and TLS 1.3 groups, which keep their
   * defaults when only RFC 7919 names are given.
   */
  setGroups(groups: readonly string[]): void {
    if (groups.length === 0) throw settingError('at least one group is needed');
    const isFfdhe = (g: string) => FFDHE_GROUPS.includes(g.trim().toLowerCase() as GroupName);
    const ecdhe = groups.filter((g) => !isFfdhe(g)).map(parseGroupName);
    const dhe = groups.filter(isFfdhe).flatMap((g) => dheGroupsFrom(g, this.provider));
    if (ecdhe.length > 0) this.groupList = [...new Set(ecdhe)];
    if (dhe.length > 0) this.tls12.dheGroups = [...new Set(dhe)];
  }

  get groups(): readonly GroupName[] {
    return this.groupList ?? DEFAULT_GROUPS;
  }

  /** Python's set_ecdh_curve: one curve (`prime256v1`, `secp384r1`, `X25519`, …). */
  setEcdhCurve(curveName: string): void {
    this.setGroups([parseGroupName(curveName)]);
  }

  setAlpnProtocols(protocols: readonly string[]): void {
    for (const p of protocols) {
      // RFC 7301 §3.1: ProtocolName<1..2^8-1>, non-empty.
      if (p.length === 0 || p.length > 255 || /[^\x20-\x7e]/.test(p))
        throw settingError(`invalid ALPN protocol name '${p}'`);
    }
    this.alpn = [...protocols];
  }

  /** HAS_NPN is false. */
  setNpnProtocols(_protocols: readonly string[]): void {
    throw notSupported('NPN is not supported (HAS_NPN is False)');
  }

  /** Python's legacy set_servername_callback. */
  setServernameCallback(callback: SniCallback | null): void {
    this.sniCallback = callback;
  }

  // -------------------------------------------------------------------------------------------
  // Session tickets (RFC 5077, RFC 8446 §4.6.1)

  /**
   * Server: sets the session-ticket key, 48 bytes as Node's `server.setTicketKeys()` (a 16-byte key name,
   * then 32 bytes of key; `TICKET_KEYS_LENGTH`). Servers given the same keys resume each other's TLS 1.2
   * and TLS 1.3 tickets. The application then rotates: no automatic rotation, and the key a call replaces
   * still opens tickets (renewing them) for `tls12.ticketKeyRotation` seconds (default 3600) or until the
   * next call. Other lengths raise SSLError INVALID_TICKET_KEYS_LENGTH. The keys are secrets: whoever
   * holds them can read every ticket and resume its session. Not interchangeable with Node's or
   * OpenSSL's ticket keys (the ticket format is ours).
   */
  setTicketKeys(keys: Uint8Array): void {
    this.tls12.setTicketKeys(keys, Math.floor(this.now() / 1000));
  }

  /** Server: the current session-ticket key (48 bytes, {@link setTicketKeys}'s format), made now if none is yet. */
  getTicketKeys(): Uint8Array {
    return this.tls12.getTicketKeys(Math.floor(this.now() / 1000), this.randomBytes);
  }

  // -------------------------------------------------------------------------------------------
  // Statistics

  sessionStats(): Record<string, number> {
    return {
      number: this.tls12.cachedSessions,
      connect: this.stats.connect,
      connect_good: this.stats.connect_good,
      connect_renegotiate: this.tls12.stats.connect_renegotiate,
      accept: this.stats.accept,
      accept_good: this.stats.accept_good,
      accept_renegotiate: this.tls12.stats.accept_renegotiate,
      // TLS 1.2 server session cache and tickets (issue #6).
      hits: this.tls12.stats.hits,
      misses: this.tls12.stats.misses,
      timeouts: this.tls12.stats.timeouts,
      cache_full: this.tls12.stats.cache_full,
    };
  }

  /** @internal Counts a finished handshake for sessionStats(). */
  recordHandshake(serverSide: boolean): void {
    if (serverSide) this.stats.accept_good++;
    else this.stats.connect_good++;
  }

  // -------------------------------------------------------------------------------------------
  // Connections

  /** Python's wrap_bio: an SSLObject reading from `incoming` and writing to `outgoing`. */
  wrapBio(incoming: MemoryBIO, outgoing: MemoryBIO, options: WrapBioOptions = {}): SSLObject {
    const serverSide = options.serverSide ?? false;
    if (serverSide && options.serverHostname != null)
      throw settingError('server_hostname can only be specified in client mode');
    if (serverSide && this.protocol === PROTOCOL_TLS_CLIENT)
      throw settingError('Cannot create a server socket with a PROTOCOL_TLS_CLIENT context');
    if (!serverSide && this.protocol === PROTOCOL_TLS_SERVER)
      throw settingError('Cannot create a client socket with a PROTOCOL_TLS_SERVER context');
    if (!serverSide && this.checkHostnameValue && (options.serverHostname == null || options.serverHostname === '')) {
      throw settingError('check_hostname requires server_hostname');
    }
    if (serverSide) this.stats.accept++;
    else this.stats.connect++;
    return new SSLObject(this, incoming, outgoing, options);
  }

  /** Sockets need an adapter: @sanstls/node-adapter's SSLContext has wrapSocket. */
  wrapSocket(): never {
    throw notSupported('wrap_socket needs a transport: use @sanstls/node-adapter, or wrapBio with MemoryBIOs');
  }

  /** The base64 SHA-256 of a certificate's SubjectPublicKeyInfo, the value {@link pinnedPublicKeys} holds. */
  spkiPin(certificateDer: Uint8Array): string {
    return spkiSha256(this, certificateDer);
  }

  /** The snapshot the engine reads when a connection starts (and after an SNI context swap). */
  engineConfig(): EngineConfig {
    const versionEnabled = (version: number, disabledBy: number) =>
      (this.options & disabledBy) === 0 &&
      (this.minimumVersion === TLSVersion.MINIMUM_SUPPORTED || this.minimumVersion <= version) &&
      (this.maximumVersion === TLSVersion.MAXIMUM_SUPPORTED || this.maximumVersion >= version);
    const groups = this.groups;
    const keyShareGroups = this.groupList === null ? DEFAULT_KEY_SHARE_GROUPS : groups.slice(0, 1);
    const schemes = groups.includes('secp521r1') ? SCHEMES_WITH_P521 : SCHEMES_WITHOUT_P521;
    return {
      provider: this.provider,
      limits: { ...this.limits },
      randomBytes: this.randomBytes,
      now: this.now,
      tls13Enabled: versionEnabled(TLSVersion.TLSv1_3, OP_NO_TLSv1_3),
      tls12Enabled: versionEnabled(TLSVersion.TLSv1_2, OP_NO_TLSv1_2),
      suites: this.tls13Suites(),
      groups,
      keyShareGroups,
      signatureSchemes: schemes.certificateVerify,
      certificateSignatureSchemes: schemes.certificate,
      alpnProtocols: this.alpn,
      verifyMode: this.verifyModeValue,
      checkHostname: this.checkHostnameValue,
      hostnameChecksCommonName: this.hostnameChecksCommonName,
      verifyFlags: this.verifyFlags,
      trustStore: this.trust,
      verifiedChainCache: this.verifiedChainCache,
      certificates: this.certified,
      serverPreference: (this.options & 0x00400000) !== 0,
      middleboxCompat: (this.options & 0x00100000) !== 0,
      paddingBlock: this.recordPaddingBlock,
      verifyCallback: this.verifyCallback,
      pinnedSpkiSha256: this.pinnedPublicKeys,
      keylog: this.keylogCallback,
      postHandshakeAuth: this.postHandshakeAuth,
      replay: this.replayHooks,
      tls12: this.tls12.engineConfig({
        noTicket: (this.options & OP_NO_TICKET) !== 0,
        fastAesGcm: this.provider.fastAesGcm,
      }),
      allowPskKe: this.allowPskKe,
      ticketCount: (this.options & OP_NO_TICKET) !== 0 ? 0 : Math.max(0, Math.floor(this.numTickets)),
      ticketLifetime: Math.min(this.tls12.sessionTimeout, MAX_TICKET_LIFETIME),
      maxEarlyData: Math.max(0, Math.floor(this.maxEarlyData)),
      antiReplay: this.antiReplay,
      ticketLookup: this.ticketLookupCallback,
      recordSizeLimit: this.recordSizeLimitValue,
      keyUpdateAfterRecords: this.keyUpdateAfterRecordsValue,
      requestOcsp: this.requestOcsp,
      ocspResponseCallback: this.ocspResponseCallback,
      certificateAuthorities: this.sendCertificateAuthorities ? this.authorityNameList() : [],
    };
  }
}

// Ticket keys and the anti-replay store stay out of util.inspect and JSON.stringify (issue #10).
redactSecrets(SSLContext, (c) => ({
  protocol: c.protocol,
  verifyMode: c.verifyMode,
  checkHostname: c.checkHostname,
  minimumVersion: c.minimumVersion,
  maximumVersion: c.maximumVersion,
  options: c.options,
}));

/**
 * Python's create_default_context: SERVER_AUTH builds a client context (CERT_REQUIRED, hostname
 * checks), CLIENT_AUTH a server context. Core loads `cadata` only; the Node adapter's version adds the
 * system store and files.
 */
export function createDefaultContext(
  purpose: Purpose = Purpose.SERVER_AUTH,
  locations: { cafile?: string | null; capath?: string | null; cadata?: string | Uint8Array | null } = {},
  options: SSLContextOptions = {},
): SSLContext {
  const context = new SSLContext(purpose === Purpose.SERVER_AUTH ? PROTOCOL_TLS_CLIENT : PROTOCOL_TLS_SERVER, options);
  if (locations.cafile != null || locations.capath != null || locations.cadata != null)
    context.loadVerifyLocations(locations);
  return context;
}
