/**
 * Fuzz targets for @sanstls/x509's readers: the DER reader itself, certificates (parse and Python's
 * decodeCertificate dict), CRLs, PEM, SubjectPublicKeyInfo, private keys in every container we load
 * (PKCS #8, encrypted PKCS #8, PKCS #1, SEC 1, legacy encrypted PEM) and PKCS #12.
 *
 * Seeds are the committed corpus (test-vectors/fuzz/<target>/corpus, first built from openssl-made
 * files) plus small hand-made inputs, so a target runs the same way with or without /work/shared.
 */
import {
  DerReader,
  decodeCertificate,
  decodeOid,
  loadCertificates,
  loadPkcs12,
  loadPrivateKey,
  parseCertificate,
  parseCrl,
  parsePublicKey,
  pemBlocks,
  Tag,
} from '@sanstls/x509';
import type { FuzzTarget } from '../engine.js';

const latin1 = (data: Uint8Array): string => new TextDecoder('latin1').decode(data);
const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

/** OIDs and DER headers the mutator may drop in (X.509 extension OIDs, algorithm OIDs, tags). */
const DER_DICTIONARY: Uint8Array[] = [
  Uint8Array.of(0x06, 0x03, 0x55, 0x1d, 0x13), // basicConstraints
  Uint8Array.of(0x06, 0x03, 0x55, 0x1d, 0x0f), // keyUsage
  Uint8Array.of(0x06, 0x03, 0x55, 0x1d, 0x11), // subjectAltName
  Uint8Array.of(0x06, 0x03, 0x55, 0x1d, 0x1e), // nameConstraints
  Uint8Array.of(0x06, 0x03, 0x55, 0x1d, 0x25), // extKeyUsage
  Uint8Array.of(0x06, 0x03, 0x55, 0x1d, 0x1f), // cRLDistributionPoints
  Uint8Array.of(0x06, 0x03, 0x55, 0x1d, 0x20), // certificatePolicies
  Uint8Array.of(0x06, 0x03, 0x55, 0x1d, 0x23), // authorityKeyIdentifier
  Uint8Array.of(0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x01), // authorityInfoAccess
  Uint8Array.of(0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01), // rsaEncryption
  Uint8Array.of(0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a), // RSASSA-PSS
  Uint8Array.of(0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01), // id-ecPublicKey
  Uint8Array.of(0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07), // P-256
  Uint8Array.of(0x06, 0x03, 0x2b, 0x65, 0x70), // Ed25519
  Uint8Array.of(0x06, 0x03, 0x2b, 0x65, 0x71), // Ed448
  Uint8Array.of(0x01, 0x01, 0xff), // BOOLEAN TRUE
  Uint8Array.of(0x05, 0x00), // NULL
  Uint8Array.of(0x17, 0x0d), // UTCTime header
  Uint8Array.of(0x18, 0x0f), // GeneralizedTime header
  Uint8Array.of(0x0c, 0x00), // empty UTF8String
  Uint8Array.of(0x1e, 0x02, 0xd8, 0x00), // BMPString with a lone surrogate
  Uint8Array.of(0x82, 0x00), // empty dNSName
  Uint8Array.of(0x87, 0x04, 127, 0, 0, 1), // iPAddress
  Uint8Array.of(0xa0, 0x03, 0x02, 0x01, 0x02), // [0] version v3
];

const PEM_DICTIONARY: Uint8Array[] = [
  ascii('-----BEGIN CERTIFICATE-----\n'),
  ascii('-----END CERTIFICATE-----\n'),
  ascii('-----BEGIN PRIVATE KEY-----\n'),
  ascii('-----END PRIVATE KEY-----\n'),
  ascii('-----BEGIN ENCRYPTED PRIVATE KEY-----\n'),
  ascii('-----BEGIN RSA PRIVATE KEY-----\n'),
  ascii('-----BEGIN EC PRIVATE KEY-----\n'),
  ascii('Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\n'),
  ascii('===='),
  ascii('\r\n'),
];

/** Walks any DER: every element, every constructed element's content, OIDs decoded. */
function walkDer(bytes: Uint8Array, depth: number): void {
  if (depth > 64) return; // the walker's own bound; DerReader has no recursion
  const r = new DerReader(bytes, 'fuzz');
  while (!r.done) {
    const el = r.readAny();
    if (el.tag === Tag.OID) decodeOid(el.content);
    if (el.constructed) walkDer(el.content, depth + 1);
    else if (el.tag === Tag.OCTET_STRING || el.tag === Tag.BIT_STRING) {
      // Extensions and keys nest DER inside strings: try it, as parsers do.
      const inner = el.tag === Tag.BIT_STRING ? el.content.subarray(1) : el.content;
      try {
        walkDer(inner, depth + 1);
      } catch {
        // not DER inside: fine
      }
    }
  }
}

export const derTarget: FuzzTarget = {
  name: 'der',
  seeds: () => [Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x01), Uint8Array.of(0x06, 0x03, 0x55, 0x1d, 0x13)],
  run: (input) => walkDer(input, 0),
  dictionary: DER_DICTIONARY,
  maxLength: 4096,
};

export const certificateTarget: FuzzTarget = {
  name: 'certificate',
  seeds: () => [],
  run: (input) => {
    const cert = parseCertificate(input);
    decodeCertificate(cert);
    decodeCertificate(input);
  },
  dictionary: DER_DICTIONARY,
  maxLength: 8192,
};

export const crlTarget: FuzzTarget = {
  name: 'crl',
  seeds: () => [],
  run: (input) => {
    parseCrl(input);
  },
  dictionary: DER_DICTIONARY,
  maxLength: 8192,
};

export const pemTarget: FuzzTarget = {
  name: 'pem',
  seeds: () => [
    ascii('-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n'),
    ascii(
      'junk\n-----BEGIN X-----\nA: b\n\nAAAA\n-----END X-----\n-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----',
    ),
  ],
  run: (input) => {
    const text = latin1(input);
    for (const block of pemBlocks(text)) void block.der.length;
    loadCertificates(text);
  },
  dictionary: PEM_DICTIONARY,
  maxLength: 8192,
};

export const spkiTarget: FuzzTarget = {
  name: 'spki',
  seeds: () => [],
  run: (input) => {
    parsePublicKey(input);
  },
  dictionary: DER_DICTIONARY,
  maxLength: 4096,
};

/** DER or PEM private keys, with a password so the encrypted forms get decrypted. */
export const privateKeyTarget: FuzzTarget = {
  name: 'private-key',
  seeds: () => [],
  run: (input) => {
    loadPrivateKey(input, 'fuzz');
  },
  dictionary: [...DER_DICTIONARY, ...PEM_DICTIONARY],
  maxLength: 8192,
};

export const pkcs12Target: FuzzTarget = {
  name: 'pkcs12',
  seeds: () => [],
  run: (input) => {
    loadPkcs12(input, 'fuzz');
  },
  dictionary: DER_DICTIONARY,
  maxLength: 8192,
};

export const x509Targets: FuzzTarget[] = [
  derTarget,
  certificateTarget,
  crlTarget,
  pemTarget,
  spkiTarget,
  privateKeyTarget,
  pkcs12Target,
];
