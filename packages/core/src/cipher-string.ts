/**
 * The TLS 1.2 cipher suites this engine implements (AEAD only: RFC 5288 and RFC 5289 AES-GCM, RFC 7905
 * ChaCha20-Poly1305, with ECDHE_ECDSA, ECDHE_RSA and DHE_RSA key exchange) and OpenSSL's cipher-string
 * grammar over them (`SSL_CTX_set_cipher_list`, what Python's `set_ciphers` takes):
 *
 * - words are separated by `:`, `,` or spaces; `A+B` selects what both A and B select;
 * - a plain word appends the ciphers it selects that are not yet listed, in OpenSSL's master order;
 * - `-X` removes (X may come back later), `!X` removes for good, `+X` moves to the end;
 * - `@STRENGTH` sorts by secret bits (stable), `@SECLEVEL=n` is accepted (every suite here passes level 3);
 * - unknown words select nothing (as OpenSSL); an empty result is the caller's "No cipher can be selected.";
 * - Suite B keywords (`SUITEB128`, …), which switch OpenSSL into a Suite B mode, are not supported (select nothing).
 *
 * The keyword table was checked against `openssl ciphers -s -tls1_2` (OpenSSL 3.0): e.g. `RSA` means
 * RSA key transport (kRSA) and selects none of these suites, `aRSA` selects RSA authentication, and
 * `SHA256`/`AEAD` select none of the AEAD suites.
 * @module
 */
import type { AeadName, TlsHashName } from './crypto/provider.js';

export interface Tls12Suite {
  /** IANA code point. */
  readonly code: number;
  /** OpenSSL's name (what cipher() and get_ciphers() report). */
  readonly name: string;
  /** IANA name. */
  readonly ianaName: string;
  readonly kx: 'ECDHE' | 'DHE';
  readonly au: 'ECDSA' | 'RSA';
  readonly aead: AeadName;
  /** The PRF hash (RFC 5246 §5; RFC 5289 §3.2 for the SHA-384 suites). */
  readonly hash: TlsHashName;
  readonly keyLength: number;
  /**
   * fixed_iv_length: the 4-byte implicit salt of AES-GCM (RFC 5288 §3) or the 12-byte IV of
   * ChaCha20-Poly1305 (RFC 7905 §2).
   */
  readonly fixedIvLength: 4 | 12;
  /** record_iv_length: 8 explicit nonce bytes per AES-GCM record (RFC 5288 §3), none for ChaCha20 (RFC 7905 §2). */
  readonly explicitNonceLength: 8 | 0;
  readonly bits: number;
  /** OpenSSL's `symmetric` name in get_ciphers(). */
  readonly symmetric: string;
  /** OpenSSL's description `Enc=` field. */
  readonly enc: string;
}

function suite(
  code: number,
  name: string,
  ianaName: string,
  kx: Tls12Suite['kx'],
  au: Tls12Suite['au'],
  aead: AeadName,
): Tls12Suite {
  const chacha = aead === 'CHACHA20-POLY1305';
  const bits = aead === 'AES-128-GCM' ? 128 : 256;
  return {
    code,
    name,
    ianaName,
    kx,
    au,
    aead,
    hash: aead === 'AES-256-GCM' ? 'sha384' : 'sha256',
    keyLength: bits / 8,
    fixedIvLength: chacha ? 12 : 4,
    explicitNonceLength: chacha ? 0 : 8,
    bits,
    symmetric: chacha ? 'chacha20-poly1305' : `aes-${bits}-gcm`,
    enc: chacha ? 'CHACHA20/POLY1305(256)' : `AESGCM(${bits})`,
  };
}

/** Every TLS 1.2 suite implemented, in OpenSSL's master order (strength, then ECDHE-ECDSA, ECDHE-RSA, DHE-RSA). */
export const TLS12_SUITES: readonly Tls12Suite[] = [
  suite(
    0xc02c,
    'ECDHE-ECDSA-AES256-GCM-SHA384',
    'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
    'ECDHE',
    'ECDSA',
    'AES-256-GCM',
  ),
  suite(0xc030, 'ECDHE-RSA-AES256-GCM-SHA384', 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'ECDHE', 'RSA', 'AES-256-GCM'),
  suite(0x009f, 'DHE-RSA-AES256-GCM-SHA384', 'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384', 'DHE', 'RSA', 'AES-256-GCM'),
  suite(
    0xcca9,
    'ECDHE-ECDSA-CHACHA20-POLY1305',
    'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
    'ECDHE',
    'ECDSA',
    'CHACHA20-POLY1305',
  ),
  suite(
    0xcca8,
    'ECDHE-RSA-CHACHA20-POLY1305',
    'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
    'ECDHE',
    'RSA',
    'CHACHA20-POLY1305',
  ),
  suite(
    0xccaa,
    'DHE-RSA-CHACHA20-POLY1305',
    'TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
    'DHE',
    'RSA',
    'CHACHA20-POLY1305',
  ),
  suite(
    0xc02b,
    'ECDHE-ECDSA-AES128-GCM-SHA256',
    'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
    'ECDHE',
    'ECDSA',
    'AES-128-GCM',
  ),
  suite(0xc02f, 'ECDHE-RSA-AES128-GCM-SHA256', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'ECDHE', 'RSA', 'AES-128-GCM'),
  suite(0x009e, 'DHE-RSA-AES128-GCM-SHA256', 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256', 'DHE', 'RSA', 'AES-128-GCM'),
];

export function tls12SuiteByCode(code: number): Tls12Suite | undefined {
  return TLS12_SUITES.find((s) => s.code === code);
}

export function tls12SuiteByName(name: string): Tls12Suite | undefined {
  return TLS12_SUITES.find((s) => s.name === name || s.ianaName === name);
}

/**
 * Python's default cipher string (3.10+, `_DEFAULT_CIPHERS` when built against OpenSSL 3): over our suites
 * it selects the ECDHE AES-GCM suites, the ECDHE ChaCha20 suites, then DHE-RSA AES-GCM.
 */
export const PYTHON_DEFAULT_CIPHERS =
  '@SECLEVEL=2:ECDH+AESGCM:ECDH+CHACHA20:ECDH+AES:DHE+AES:!aNULL:!eNULL:!aDSS:!SHA1:!AESCCM';

/** Does one OpenSSL keyword select `c`? undefined for a word OpenSSL does not know (selects nothing). */
function keywordMatches(keyword: string, c: Tls12Suite): boolean | undefined {
  switch (keyword) {
    case 'ALL':
    case 'DEFAULT': // OpenSSL 3.0: ALL:!COMPLEMENTOFDEFAULT:!eNULL — every suite here
    case 'HIGH':
    case 'TLSv1.2':
    case 'FIPS':
      return true;
    case 'ECDHE':
    case 'EECDH':
    case 'kEECDH':
    case 'kECDHE':
    case 'ECDH':
      return c.kx === 'ECDHE';
    case 'DHE':
    case 'EDH':
    case 'kEDH':
    case 'kDHE':
    case 'DH':
      return c.kx === 'DHE';
    case 'ECDSA':
    case 'aECDSA':
      return c.au === 'ECDSA';
    case 'aRSA':
      return c.au === 'RSA';
    case 'AESGCM':
    case 'AES':
      return c.aead !== 'CHACHA20-POLY1305';
    case 'AES128':
      return c.aead === 'AES-128-GCM';
    case 'AES256':
      return c.aead === 'AES-256-GCM';
    case 'CHACHA20':
      return c.aead === 'CHACHA20-POLY1305';
    default:
      // Known OpenSSL words that select none of these suites: RSA (= kRSA), MEDIUM, LOW, aNULL, eNULL,
      // NULL, SHA1, SHA256, SHA384, AEAD, PSK, SSLv3, TLSv1, … and other suites' names.
      if (c.name === keyword) return true;
      return /^[A-Za-z0-9.\-_]+$/.test(keyword) ? false : undefined;
  }
}

/** Evaluates an OpenSSL cipher string over {@link TLS12_SUITES}; returns the selected suites in order. */
export function evaluateCipherSuites(spec: string): Tls12Suite[] {
  let selected: Tls12Suite[] = [];
  const banned = new Set<Tls12Suite>();
  for (const raw of spec.split(/[:, ]+/)) {
    if (raw === '') continue;
    if (raw.startsWith('@')) {
      // @STRENGTH: stable sort by secret bits; @SECLEVEL=n: every suite here meets level ≤ 3.
      if (raw === '@STRENGTH') selected = [...selected].sort((a, b) => b.bits - a.bits);
      continue;
    }
    const op = raw[0] === '!' || raw[0] === '-' || raw[0] === '+' ? raw[0] : '';
    const words = (op === '' ? raw : raw.slice(1)).split('+');
    const matching = TLS12_SUITES.filter((c) => words.every((w) => keywordMatches(w, c) === true));
    if (op === '!') for (const c of matching) banned.add(c);
    if (op === '!' || op === '-') selected = selected.filter((c) => !matching.includes(c));
    else if (op === '+')
      selected = [...selected.filter((c) => !matching.includes(c)), ...selected.filter((c) => matching.includes(c))];
    else for (const c of matching) if (!selected.includes(c) && !banned.has(c)) selected.push(c);
  }
  return selected.filter((c) => !banned.has(c));
}

/** The OpenSSL names {@link evaluateCipherSuites} selects. */
export function evaluateCipherString(spec: string): string[] {
  return evaluateCipherSuites(spec).map((c) => c.name);
}

/** One entry of Python's get_ciphers() for a TLS 1.2 suite (same shape as the TLS 1.3 entries). */
export interface Tls12CipherInfo {
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

/** get_ciphers() dict for a TLS 1.2 suite, as Python 3.11 on OpenSSL 3.0 reports it. */
export function tls12CipherInfo(c: Tls12Suite): Tls12CipherInfo {
  const kx = c.kx === 'ECDHE' ? 'ECDH' : 'DH';
  return {
    id: 0x03000000 | c.code,
    name: c.name,
    protocol: 'TLSv1.2',
    description: `${c.name.padEnd(30)} TLSv1.2 Kx=${kx.padEnd(8)} Au=${c.au.padEnd(5)} Enc=${c.enc.padEnd(22)} Mac=AEAD`,
    strength_bits: c.bits,
    alg_bits: c.bits,
    aead: true,
    symmetric: c.symmetric,
    digest: null,
    kea: c.kx === 'ECDHE' ? 'kx-ecdhe' : 'kx-dhe',
    auth: c.au === 'ECDSA' ? 'auth-ecdsa' : 'auth-rsa',
  };
}
