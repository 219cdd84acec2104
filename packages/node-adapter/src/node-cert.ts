/**
 * node:tls's `getPeerCertificate()` object built from sanstls's parsed certificates, so code written for Node —
 * including `tls.checkServerIdentity`, which reads `subject` and `subjectaltname` — works unchanged.
 * @module
 */
import { createHash } from 'node:crypto';
import { type Certificate, decodeCertificate, loadCertificates, type Name, oidShortName } from '@sanstls/x509';

/** The fields of Node's `tls.PeerCertificate` sanstls fills in. */
export interface NodePeerCertificate {
  subject: Record<string, string | string[]>;
  issuer: Record<string, string | string[]>;
  subjectaltname?: string;
  infoAccess?: Record<string, string[]>;
  ca: boolean;
  valid_from: string;
  valid_to: string;
  serialNumber: string;
  fingerprint: string;
  fingerprint256: string;
  fingerprint512: string;
  ext_key_usage?: string[];
  raw: Buffer;
  /** With `getPeerCertificate(true)`: the issuer's entry; the root points at itself, as in Node. */
  issuerCertificate?: NodePeerCertificate;
}

/** Node's name object: short names as keys; an attribute that appears more than once gives an array. */
function nameObject(name: Name): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null);
  for (const rdn of name.rdns) {
    for (const atv of rdn) {
      const key = oidShortName(atv.oid);
      const previous = out[key];
      if (previous === undefined) out[key] = atv.value;
      else out[key] = Array.isArray(previous) ? [...previous, atv.value] : [previous, atv.value];
    }
  }
  return out;
}

const colonHex = (bytes: Uint8Array): string =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':');

const accessMethodNames: Record<string, string> = {
  '1.3.6.1.5.5.7.48.1': 'OCSP - URI',
  '1.3.6.1.5.5.7.48.2': 'CA Issuers - URI',
};

/** One certificate in Node's shape. */
export function nodePeerCertificate(der: Uint8Array): NodePeerCertificate {
  const cert = loadCertificates(der)[0] as Certificate;
  const dict = decodeCertificate(cert);
  const raw = Buffer.from(der);
  const out: NodePeerCertificate = {
    subject: nameObject(cert.subject),
    issuer: nameObject(cert.issuer),
    ca: cert.basicConstraints?.ca ?? false,
    valid_from: dict.notBefore,
    valid_to: dict.notAfter,
    serialNumber: dict.serialNumber,
    fingerprint: colonHex(createHash('sha1').update(raw).digest()),
    fingerprint256: colonHex(createHash('sha256').update(raw).digest()),
    fingerprint512: colonHex(createHash('sha512').update(raw).digest()),
    raw,
  };
  if (dict.subjectAltName !== undefined) {
    out.subjectaltname = dict.subjectAltName
      .filter((entry): entry is readonly [string, string] => typeof entry[1] === 'string')
      .map(([type, value]) => `${type}:${value}`)
      .join(', ');
  }
  if (cert.authorityInfoAccess !== undefined) {
    const info: Record<string, string[]> = Object.create(null);
    for (const ad of cert.authorityInfoAccess) {
      const key = accessMethodNames[ad.method];
      if (key === undefined || ad.location.type !== 'uri') continue;
      const list = info[key] ?? [];
      list.push(ad.location.value);
      info[key] = list;
    }
    out.infoAccess = info;
  }
  if (cert.extKeyUsage !== undefined) out.ext_key_usage = [...cert.extKeyUsage];
  return out;
}

/**
 * Node's `getPeerCertificate(detailed)`: the leaf, and with `detailed` the chain linked through
 * `issuerCertificate` (the last certificate links to itself).
 */
export function nodePeerCertificateChain(chain: readonly Uint8Array[], detailed: boolean): NodePeerCertificate | null {
  if (chain.length === 0) return null;
  const entries = (detailed ? chain : chain.slice(0, 1)).map(nodePeerCertificate);
  if (detailed) {
    entries.forEach((entry, i) => {
      entry.issuerCertificate = entries[i + 1] ?? entry;
    });
  }
  return entries[0] ?? null;
}
