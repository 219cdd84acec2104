/**
 * The TLS 1.3 key schedule (RFC 8446 §7.1) over a provider's HashAlgorithm.
 *
 * Secrets are branded byte arrays so the stage order is enforced by the type checker: a handshake
 * secret only comes from an early secret, traffic keys only from a traffic secret, a KeyUpdate only
 * from an application traffic secret, and so on. The brands cost nothing at run time.
 *
 * ```
 *              0
 *              |
 *    PSK ->  HKDF-Extract = Early Secret ── binder keys, c e traffic, e exp master
 *              |
 *        Derive-Secret(., "derived", "")
 *              |
 * (EC)DHE -> HKDF-Extract = Handshake Secret ── c/s hs traffic
 *              |
 *        Derive-Secret(., "derived", "")
 *              |
 *   0 -> HKDF-Extract = Master Secret ── c/s ap traffic, exp master, res master
 * ```
 * @module
 */
import { constantTimeEqual, SSLError, toHex } from '@sanstls/x509';
import { wipe } from '../redact.js';
import { labelBytes } from './labels.js';
import type { HashAlgorithm } from './provider.js';

declare const secretBrand: unique symbol;
/** A byte string tagged with the key-schedule stage it came from. */
export type Branded<Stage extends string> = Uint8Array & { readonly [secretBrand]: Stage };

export type EarlySecret = Branded<'EarlySecret'>;
export type HandshakeSecret = Branded<'HandshakeSecret'>;
export type MasterSecret = Branded<'MasterSecret'>;
/** binder_key (ext or res): its finished_key MACs a PSK binder (RFC 8446 §4.2.11.2). */
export type BinderKey = Branded<'BinderKey'>;
export type EarlyTrafficSecret = Branded<'EarlyTrafficSecret'>;
export type HandshakeTrafficSecret = Branded<'HandshakeTrafficSecret'>;
export type ApplicationTrafficSecret = Branded<'ApplicationTrafficSecret'>;
/** Any secret that record protection keys can be derived from (RFC 8446 §7.3). */
export type TrafficSecret = EarlyTrafficSecret | HandshakeTrafficSecret | ApplicationTrafficSecret;
/** early_exporter_master_secret or exporter_master_secret (RFC 8446 §7.5). */
export type ExporterSecret = Branded<'ExporterSecret'>;
export type ResumptionMasterSecret = Branded<'ResumptionMasterSecret'>;
/** A resumption PSK derived from a ticket (RFC 8446 §4.6.1). */
export type ResumptionPsk = Branded<'ResumptionPsk'>;
/** finished_key (RFC 8446 §4.4.4). */
export type FinishedKey = Branded<'FinishedKey'>;

export interface TrafficKeys {
  readonly key: Uint8Array;
  readonly iv: Uint8Array;
}

const encoder = /* @__PURE__ */ new TextEncoder();
const LABEL_PREFIX = /* @__PURE__ */ encoder.encode('tls13 ');
const EMPTY = /* @__PURE__ */ new Uint8Array(0);

/**
 * The HkdfLabel structure (RFC 8446 §7.1): uint16 length, opaque label<7..255> = "tls13 " + Label,
 * opaque context<0..255>.
 */
export function encodeHkdfLabel(length: number, label: string | Uint8Array, context: Uint8Array): Uint8Array {
  const bytes = typeof label === 'string' ? labelBytes(label) : label;
  const size = hkdfLabelSize(length, bytes, context);
  const out = new Uint8Array(size);
  writeHkdfLabel(out, length, bytes, context);
  return out;
}

/** The encoded size of an HkdfLabel, or an SSLError when a field is out of its range (RFC 8446 §7.1). */
function hkdfLabelSize(length: number, label: Uint8Array, context: Uint8Array): number {
  const fullLabelLength = LABEL_PREFIX.length + label.length;
  if (fullLabelLength > 255 || context.length > 255 || length > 0xffff || length < 0) {
    throw new SSLError('HkdfLabel field out of range', { library: 'SSL', reason: 'INTERNAL_ERROR' });
  }
  return 2 + 1 + fullLabelLength + 1 + context.length;
}

function writeHkdfLabel(out: Uint8Array, length: number, label: Uint8Array, context: Uint8Array): void {
  const fullLabelLength = LABEL_PREFIX.length + label.length;
  out[0] = length >>> 8;
  out[1] = length & 0xff;
  out[2] = fullLabelLength;
  out.set(LABEL_PREFIX, 3);
  out.set(label, 3 + LABEL_PREFIX.length);
  out[3 + fullLabelLength] = context.length;
  out.set(context, 4 + fullLabelLength);
}

/**
 * hkdfExpandLabel's HkdfLabel buffer, reused: with a SHA-384 transcript hash as context the label is over
 * 64 bytes, past which V8 gives every typed array its own off-heap backing store (≈ 0.3 µs to make plus
 * collector work, about 30 times per handshake pair; issue #9). The maximum HkdfLabel (2 + 1 + 255 + 1 + 255
 * bytes) fits. It only ever holds public bytes (a label and a transcript hash or nonce, never a key), and
 * HashAlgorithm.hkdfExpand is synchronous and keeps no reference to `info`, so the next call may overwrite it.
 */
const labelScratch = /* @__PURE__ */ new Uint8Array(514);

/** HKDF-Expand-Label(Secret, Label, Context, Length) (RFC 8446 §7.1). */
export function hkdfExpandLabel(
  hash: HashAlgorithm,
  secret: Uint8Array,
  label: string,
  context: Uint8Array,
  length: number,
): Uint8Array {
  const bytes = labelBytes(label);
  const size = hkdfLabelSize(length, bytes, context);
  writeHkdfLabel(labelScratch, length, bytes, context);
  return hash.hkdfExpand(secret, labelScratch.subarray(0, size), length);
}

/**
 * Derive-Secret(Secret, Label, Messages) = HKDF-Expand-Label(Secret, Label, Transcript-Hash(Messages),
 * Hash.length) (RFC 8446 §7.1). Takes the transcript hash, not the messages.
 */
export function deriveSecret(
  hash: HashAlgorithm,
  secret: Uint8Array,
  label: string,
  transcriptHash: Uint8Array,
): Uint8Array {
  return hkdfExpandLabel(hash, secret, label, transcriptHash, hash.outputLength);
}

/**
 * Hash("") per HashAlgorithm object: a schedule is made per connection, the digest of nothing is a public
 * constant. Shared, so never handed out (emptyTranscriptHash copies) nor written.
 */
const EMPTY_HASHES = /* @__PURE__ */ new WeakMap<HashAlgorithm, Uint8Array>();

/**
 * Without a PSK the Early Secret is HKDF-Extract(0, 0) and the salt of the Handshake Secret is
 * Derive-Secret(that, "derived", "") (RFC 8446 §7.1): two public constants per hash, which every full
 * handshake would otherwise recompute with two HMACs on each side (issue #9). Kept per HashAlgorithm
 * object, like Hash(""); shared, so never handed out (earlySecret copies) nor written.
 */
interface ZeroPskConstants {
  readonly earlySecret: Uint8Array;
  readonly derivedSalt: Uint8Array;
}
const ZERO_PSK = /* @__PURE__ */ new WeakMap<HashAlgorithm, ZeroPskConstants>();

/**
 * The RFC 8446 §7.1 key schedule for one cipher suite's hash. Methods are pure functions of their
 * arguments (the instance only caches Hash("") and the zero IKM), so one instance can serve many
 * connections.
 */
export class Tls13KeySchedule {
  readonly hash: HashAlgorithm;
  private readonly zeros: Uint8Array;
  private readonly emptyHash: Uint8Array;
  private zeroPskConstants: ZeroPskConstants | undefined;

  constructor(hash: HashAlgorithm) {
    this.hash = hash;
    this.zeros = new Uint8Array(hash.outputLength);
    let emptyHash = EMPTY_HASHES.get(hash);
    if (emptyHash === undefined) {
      emptyHash = hash.digest(EMPTY);
      EMPTY_HASHES.set(hash, emptyHash);
    }
    this.emptyHash = emptyHash;
  }

  expandLabel(secret: Uint8Array, label: string, context: Uint8Array, length: number): Uint8Array {
    return hkdfExpandLabel(this.hash, secret, label, context, length);
  }

  deriveSecret(secret: Uint8Array, label: string, transcriptHash: Uint8Array): Uint8Array {
    return deriveSecret(this.hash, secret, label, transcriptHash);
  }

  /** Transcript-Hash of no messages: Hash(""), used by "derived" and the exporter. */
  get emptyTranscriptHash(): Uint8Array {
    return this.emptyHash.slice();
  }

  // -- Early Secret ---------------------------------------------------------------------------

  /** Early Secret = HKDF-Extract(0, PSK); without a PSK the IKM is Hash.length zero bytes. */
  earlySecret(psk?: Uint8Array): EarlySecret {
    if (psk === undefined) return this.zeroPsk().earlySecret.slice() as EarlySecret; // a copy: callers wipe it
    return this.hash.hkdfExtract(this.zeros, psk) as EarlySecret;
  }

  /** The no-PSK constants of this hash (ZERO_PSK), computed on first use. */
  private zeroPsk(): ZeroPskConstants {
    let constants = this.zeroPskConstants ?? ZERO_PSK.get(this.hash);
    if (constants === undefined) {
      const earlySecret = this.hash.hkdfExtract(this.zeros, this.zeros);
      constants = { earlySecret, derivedSalt: this.deriveSecret(earlySecret, 'derived', this.emptyHash) };
      ZERO_PSK.set(this.hash, constants);
    }
    this.zeroPskConstants = constants;
    return constants;
  }

  /** binder_key: "ext binder" for external PSKs, "res binder" for resumption PSKs (RFC 8446 §7.1). */
  binderKey(early: EarlySecret, kind: 'external' | 'resumption'): BinderKey {
    return this.deriveSecret(early, kind === 'external' ? 'ext binder' : 'res binder', this.emptyHash) as BinderKey;
  }

  /** client_early_traffic_secret = Derive-Secret(ES, "c e traffic", ClientHello). */
  clientEarlyTrafficSecret(early: EarlySecret, clientHelloHash: Uint8Array): EarlyTrafficSecret {
    return this.deriveSecret(early, 'c e traffic', clientHelloHash) as EarlyTrafficSecret;
  }

  /** early_exporter_master_secret = Derive-Secret(ES, "e exp master", ClientHello). */
  earlyExporterMasterSecret(early: EarlySecret, clientHelloHash: Uint8Array): ExporterSecret {
    return this.deriveSecret(early, 'e exp master', clientHelloHash) as ExporterSecret;
  }

  // -- Handshake Secret -----------------------------------------------------------------------

  /** Handshake Secret = HKDF-Extract(Derive-Secret(ES, "derived", ""), (EC)DHE shared secret). */
  handshakeSecret(early: EarlySecret, sharedSecret: Uint8Array): HandshakeSecret {
    // The salt is a function of the Early Secret's bytes alone: the no-PSK one's is a constant (ZERO_PSK).
    // The comparison is constant-time, as a PSK's Early Secret is secret.
    const zero = this.zeroPsk();
    if (constantTimeEqual(early, zero.earlySecret)) {
      return this.hash.hkdfExtract(zero.derivedSalt, sharedSecret) as HandshakeSecret;
    }
    const salt = this.deriveSecret(early, 'derived', this.emptyHash);
    const secret = this.hash.hkdfExtract(salt, sharedSecret) as HandshakeSecret;
    wipe(salt); // derived from the Early Secret (the PSK's, when resuming): §7.2, best effort
    return secret;
  }

  /** client_handshake_traffic_secret = Derive-Secret(HS, "c hs traffic", ClientHello...ServerHello). */
  clientHandshakeTrafficSecret(handshake: HandshakeSecret, helloHash: Uint8Array): HandshakeTrafficSecret {
    return this.deriveSecret(handshake, 'c hs traffic', helloHash) as HandshakeTrafficSecret;
  }

  /** server_handshake_traffic_secret = Derive-Secret(HS, "s hs traffic", ClientHello...ServerHello). */
  serverHandshakeTrafficSecret(handshake: HandshakeSecret, helloHash: Uint8Array): HandshakeTrafficSecret {
    return this.deriveSecret(handshake, 's hs traffic', helloHash) as HandshakeTrafficSecret;
  }

  // -- Master Secret --------------------------------------------------------------------------

  /** Master Secret = HKDF-Extract(Derive-Secret(HS, "derived", ""), 0). */
  masterSecret(handshake: HandshakeSecret): MasterSecret {
    const salt = this.deriveSecret(handshake, 'derived', this.emptyHash);
    const secret = this.hash.hkdfExtract(salt, this.zeros) as MasterSecret;
    wipe(salt); // derived from the Handshake Secret: §7.2, best effort
    return secret;
  }

  /** client_application_traffic_secret_0 = Derive-Secret(MS, "c ap traffic", ClientHello...server Finished). */
  clientApplicationTrafficSecret(master: MasterSecret, serverFinishedHash: Uint8Array): ApplicationTrafficSecret {
    return this.deriveSecret(master, 'c ap traffic', serverFinishedHash) as ApplicationTrafficSecret;
  }

  /** server_application_traffic_secret_0 = Derive-Secret(MS, "s ap traffic", ClientHello...server Finished). */
  serverApplicationTrafficSecret(master: MasterSecret, serverFinishedHash: Uint8Array): ApplicationTrafficSecret {
    return this.deriveSecret(master, 's ap traffic', serverFinishedHash) as ApplicationTrafficSecret;
  }

  /** exporter_master_secret = Derive-Secret(MS, "exp master", ClientHello...server Finished). */
  exporterMasterSecret(master: MasterSecret, serverFinishedHash: Uint8Array): ExporterSecret {
    return this.deriveSecret(master, 'exp master', serverFinishedHash) as ExporterSecret;
  }

  /** resumption_master_secret = Derive-Secret(MS, "res master", ClientHello...client Finished). */
  resumptionMasterSecret(master: MasterSecret, clientFinishedHash: Uint8Array): ResumptionMasterSecret {
    return this.deriveSecret(master, 'res master', clientFinishedHash) as ResumptionMasterSecret;
  }

  /** The PSK of a ticket: HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce, Hash.length) (§4.6.1). */
  resumptionPsk(resumption: ResumptionMasterSecret, ticketNonce: Uint8Array): ResumptionPsk {
    return this.expandLabel(resumption, 'resumption', ticketNonce, this.hash.outputLength) as ResumptionPsk;
  }

  /** application_traffic_secret_N+1 = HKDF-Expand-Label(application_traffic_secret_N, "traffic upd", "", Hash.length) (§7.2). */
  nextApplicationTrafficSecret(current: ApplicationTrafficSecret): ApplicationTrafficSecret {
    return this.expandLabel(current, 'traffic upd', EMPTY, this.hash.outputLength) as ApplicationTrafficSecret;
  }

  // -- Keys, Finished, exporters --------------------------------------------------------------

  /** write_key = HKDF-Expand-Label(Secret, "key", "", key_length); write_iv likewise with "iv" (§7.3). */
  trafficKeys(secret: TrafficSecret, keyLength: number, ivLength = 12): TrafficKeys {
    return {
      key: this.expandLabel(secret, 'key', EMPTY, keyLength),
      iv: this.expandLabel(secret, 'iv', EMPTY, ivLength),
    };
  }

  /**
   * finished_key = HKDF-Expand-Label(BaseKey, "finished", "", Hash.length) (§4.4.4): BaseKey is a
   * handshake traffic secret, an application traffic secret (post-handshake authentication) or a
   * binder key (§4.2.11.2).
   */
  finishedKey(baseKey: HandshakeTrafficSecret | ApplicationTrafficSecret | BinderKey): FinishedKey {
    return this.expandLabel(baseKey, 'finished', EMPTY, this.hash.outputLength) as FinishedKey;
  }

  /** verify_data = HMAC(finished_key, Transcript-Hash(Handshake Context, Certificate*, CertificateVerify*)) (§4.4.4). */
  finishedVerifyData(finishedKey: FinishedKey, transcriptHash: Uint8Array): Uint8Array {
    return this.hash.hmac(finishedKey, transcriptHash);
  }

  /** Constant-time check of a received verify_data (or PSK binder). */
  verifyFinished(finishedKey: FinishedKey, transcriptHash: Uint8Array, received: Uint8Array): boolean {
    return constantTimeEqual(this.finishedVerifyData(finishedKey, transcriptHash), received);
  }

  /**
   * TLS-Exporter(label, context_value, key_length) =
   *   HKDF-Expand-Label(Derive-Secret(Secret, label, ""), "exporter", Hash(context_value), key_length) (§7.5).
   * An absent context is hashed as the empty string, so it equals an empty context in TLS 1.3.
   */
  exporter(secret: ExporterSecret, label: string, context: Uint8Array | undefined, length: number): Uint8Array {
    const perLabel = this.deriveSecret(secret, label, this.emptyHash);
    return this.expandLabel(perLabel, 'exporter', this.hash.digest(context ?? EMPTY), length);
  }
}

/**
 * The per-record nonce (RFC 8446 §5.3): the 64-bit record sequence number, big-endian and left-padded
 * to iv.length, XORed with the static write_iv. Writes into `out` (no allocation: it runs per record).
 * `sequence` is a non-negative safe integer; the engine rekeys or closes long before 2^53 records.
 */
export function writeRecordNonce(out: Uint8Array, iv: Uint8Array, sequence: number): Uint8Array {
  const n = iv.length;
  for (let i = 0; i < n - 8; i++) out[i] = iv[i]!;
  const high = Math.floor(sequence / 0x100000000);
  const low = sequence >>> 0;
  out[n - 8] = iv[n - 8]! ^ (high >>> 24);
  out[n - 7] = iv[n - 7]! ^ ((high >>> 16) & 0xff);
  out[n - 6] = iv[n - 6]! ^ ((high >>> 8) & 0xff);
  out[n - 5] = iv[n - 5]! ^ (high & 0xff);
  out[n - 4] = iv[n - 4]! ^ (low >>> 24);
  out[n - 3] = iv[n - 3]! ^ ((low >>> 16) & 0xff);
  out[n - 2] = iv[n - 2]! ^ ((low >>> 8) & 0xff);
  out[n - 1] = iv[n - 1]! ^ (low & 0xff);
  return out;
}

/** NSS key-log labels (https://firefox-source-docs.mozilla.org/security/nss/legacy/key_log_format/). */
export type KeyLogLabel =
  | 'CLIENT_EARLY_TRAFFIC_SECRET'
  | 'CLIENT_HANDSHAKE_TRAFFIC_SECRET'
  | 'SERVER_HANDSHAKE_TRAFFIC_SECRET'
  | 'CLIENT_TRAFFIC_SECRET_0'
  | 'SERVER_TRAFFIC_SECRET_0'
  | 'EARLY_EXPORTER_SECRET'
  | 'EXPORTER_SECRET'
  | 'CLIENT_RANDOM';

/**
 * One NSS key-log line, without the newline: `<label> <client_random hex> <secret hex>`. For TLS 1.2
 * the label is CLIENT_RANDOM and the secret the 48-byte master secret.
 */
export function formatKeyLogLine(label: KeyLogLabel, clientRandom: Uint8Array, secret: Uint8Array): string {
  if (clientRandom.length !== 32) {
    throw new SSLError(`key log needs the 32-byte client random, got ${clientRandom.length} bytes`, {
      library: 'SSL',
      reason: 'INTERNAL_ERROR',
    });
  }
  return `${label} ${toHex(clientRandom)} ${toHex(secret)}`;
}
