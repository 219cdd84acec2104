/**
 * The TLS 1.2 pseudorandom function and what is derived from it: RFC 5246 §5 (P_hash), §8.1 (master
 * secret), §6.3 (key block), §7.4.9 (Finished), RFC 7627 §4 (extended master secret) and RFC 5705 §4
 * (keying material exporters). TLS 1.2 suites here all use P_SHA256 or P_SHA384 (RFC 5288, RFC 5289,
 * RFC 7905).
 * @module
 */
import { concatBytes, SSLError } from '@sanstls/x509';
import { labelBytes } from './labels.js';
import type { HashAlgorithm } from './provider.js';

function checkRandom(random: Uint8Array, which: string): void {
  if (random.length !== 32) {
    throw new SSLError(`TLS 1.2 ${which} random must be 32 bytes, got ${random.length}`, {
      library: 'SSL',
      reason: 'INTERNAL_ERROR',
    });
  }
}

/**
 * P_hash(secret, seed) (RFC 5246 §5): HMAC_hash(secret, A(i) + seed) for A(0) = seed,
 * A(i) = HMAC_hash(secret, A(i-1)), truncated to `length`.
 */
export function pHash(hash: HashAlgorithm, secret: Uint8Array, seed: Uint8Array, length: number): Uint8Array {
  return pHashOf(hash, secret, EMPTY, seed, length);
}

const EMPTY = /* @__PURE__ */ new Uint8Array(0);

/** P_hash(secret, label + seed): the two parts written straight into the HMAC input, not joined first. */
function pHashOf(
  hash: HashAlgorithm,
  secret: Uint8Array,
  label: Uint8Array,
  seed: Uint8Array,
  length: number,
): Uint8Array {
  if (!Number.isSafeInteger(length) || length < 0 || length > 1 << 16) {
    throw new SSLError(`TLS 1.2 PRF output length ${length} out of range`, {
      library: 'SSL',
      reason: 'INTERNAL_ERROR',
    });
  }
  const out = new Uint8Array(length);
  // block = A(i) + label + seed, the input of each output HMAC; A(0) = label + seed is its tail.
  const block = new Uint8Array(hash.outputLength + label.length + seed.length);
  block.set(label, hash.outputLength);
  block.set(seed, hash.outputLength + label.length);
  let a: Uint8Array = block.subarray(hash.outputLength);
  // Every HMAC here is under `secret`: keyed once when the provider can (HashAlgorithm.hmacKeyed).
  const keyed = hash.hmacKeyed?.(secret);
  const mac = keyed === undefined ? (data: Uint8Array) => hash.hmac(secret, data) : keyed.mac;
  try {
    for (let offset = 0; offset < length; offset += hash.outputLength) {
      a = mac(a);
      block.set(a, 0);
      const chunk = mac(block);
      out.set(chunk.subarray(0, Math.min(chunk.length, length - offset)), offset);
    }
  } finally {
    keyed?.destroy();
  }
  return out;
}

/** PRF(secret, label, seed) = P_<hash>(secret, label + seed) (RFC 5246 §5); `label` is ASCII. */
export function tls12Prf(
  hash: HashAlgorithm,
  secret: Uint8Array,
  label: string,
  seed: Uint8Array,
  length: number,
): Uint8Array {
  return pHashOf(hash, secret, labelBytes(label), seed, length);
}

/** master_secret = PRF(pre_master_secret, "master secret", ClientHello.random + ServerHello.random)[0..47] (§8.1). */
export function tls12MasterSecret(
  hash: HashAlgorithm,
  preMasterSecret: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
): Uint8Array {
  checkRandom(clientRandom, 'client');
  checkRandom(serverRandom, 'server');
  return tls12Prf(hash, preMasterSecret, 'master secret', concatBytes([clientRandom, serverRandom]), 48);
}

/**
 * master_secret = PRF(pre_master_secret, "extended master secret", session_hash)[0..47] (RFC 7627 §4),
 * session_hash being the handshake hash up to and including ClientKeyExchange.
 */
export function tls12ExtendedMasterSecret(
  hash: HashAlgorithm,
  preMasterSecret: Uint8Array,
  sessionHash: Uint8Array,
): Uint8Array {
  return tls12Prf(hash, preMasterSecret, 'extended master secret', sessionHash, 48);
}

export interface Tls12KeyBlock {
  readonly clientWriteMacKey: Uint8Array;
  readonly serverWriteMacKey: Uint8Array;
  readonly clientWriteKey: Uint8Array;
  readonly serverWriteKey: Uint8Array;
  /** For AEAD suites, the implicit nonce part (salt): 4 bytes for GCM (RFC 5288 §3), 12 for ChaCha20 (RFC 7905 §2). */
  readonly clientWriteIv: Uint8Array;
  readonly serverWriteIv: Uint8Array;
}

/**
 * key_block = PRF(master_secret, "key expansion", server_random + client_random) (RFC 5246 §6.3),
 * partitioned as client/server MAC keys, client/server keys, client/server IVs.
 */
export function tls12KeyBlock(
  hash: HashAlgorithm,
  masterSecret: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
  sizes: { macKeyLength: number; keyLength: number; ivLength: number },
): Tls12KeyBlock {
  checkRandom(clientRandom, 'client');
  checkRandom(serverRandom, 'server');
  const { macKeyLength: m, keyLength: k, ivLength: v } = sizes;
  const block = tls12Prf(
    hash,
    masterSecret,
    'key expansion',
    concatBytes([serverRandom, clientRandom]),
    2 * (m + k + v),
  );
  let offset = 0;
  const take = (n: number) => {
    const part = block.slice(offset, offset + n);
    offset += n;
    return part;
  };
  return {
    clientWriteMacKey: take(m),
    serverWriteMacKey: take(m),
    clientWriteKey: take(k),
    serverWriteKey: take(k),
    clientWriteIv: take(v),
    serverWriteIv: take(v),
  };
}

/**
 * verify_data = PRF(master_secret, finished_label, Hash(handshake_messages))[0..11] (RFC 5246 §7.4.9):
 * "client finished" or "server finished".
 */
export function tls12FinishedVerifyData(
  hash: HashAlgorithm,
  masterSecret: Uint8Array,
  sender: 'client' | 'server',
  handshakeHash: Uint8Array,
): Uint8Array {
  return tls12Prf(hash, masterSecret, `${sender} finished`, handshakeHash, 12);
}

/** Labels RFC 5705 §4 forbids for exporters, as they collide with the protocol's own PRF uses. */
const RESERVED_EXPORTER_LABELS = new Set([
  'client finished',
  'server finished',
  'master secret',
  'key expansion',
  'extended master secret',
]);

/**
 * RFC 5705 §4 keying material exporter: PRF(master_secret, label, client_random + server_random
 * [+ context_value_length + context_value])[0..length-1]. An absent context differs from an empty one in
 * TLS 1.2 (unlike TLS 1.3).
 */
export function tls12Exporter(
  hash: HashAlgorithm,
  masterSecret: Uint8Array,
  label: string,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
  context: Uint8Array | undefined,
  length: number,
): Uint8Array {
  checkRandom(clientRandom, 'client');
  checkRandom(serverRandom, 'server');
  if (RESERVED_EXPORTER_LABELS.has(label)) {
    throw new SSLError(`exporter label "${label}" is reserved (RFC 5705 §4)`, {
      library: 'SSL',
      reason: 'EXPORTER_LABEL_RESERVED',
    });
  }
  let seed = concatBytes([clientRandom, serverRandom]);
  if (context !== undefined) {
    if (context.length > 0xffff) {
      throw new SSLError('exporter context longer than 65535 bytes', { library: 'SSL', reason: 'INTERNAL_ERROR' });
    }
    seed = concatBytes([seed, Uint8Array.of(context.length >>> 8, context.length & 0xff), context]);
  }
  return tls12Prf(hash, masterSecret, label, seed, length);
}

/**
 * The TLS 1.2 AES-GCM nonce (RFC 5288 §3): the 4-byte implicit salt (client/server_write_IV) followed by
 * the 8-byte explicit nonce, here the record sequence number (which RFC 5288 §3 permits), so it never
 * repeats under one key. Writes into `out` (12 bytes) without allocating; the explicit part to send is
 * `out.subarray(4)`. TLS 1.2 ChaCha20-Poly1305 (RFC 7905 §2) uses the TLS 1.3
 * construction, `writeRecordNonce`.
 */
export function writeTls12GcmNonce(out: Uint8Array, salt: Uint8Array, sequence: number): Uint8Array {
  if (salt.length !== 4 || out.length !== 12) {
    throw new SSLError('TLS 1.2 GCM nonce needs a 4-byte salt and a 12-byte output', {
      library: 'SSL',
      reason: 'INTERNAL_ERROR',
    });
  }
  out[0] = salt[0]!;
  out[1] = salt[1]!;
  out[2] = salt[2]!;
  out[3] = salt[3]!;
  const high = Math.floor(sequence / 0x100000000);
  const low = sequence >>> 0;
  out[4] = high >>> 24;
  out[5] = (high >>> 16) & 0xff;
  out[6] = (high >>> 8) & 0xff;
  out[7] = high & 0xff;
  out[8] = low >>> 24;
  out[9] = (low >>> 16) & 0xff;
  out[10] = (low >>> 8) & 0xff;
  out[11] = low & 0xff;
  return out;
}
