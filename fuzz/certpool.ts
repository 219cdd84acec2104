/**
 * Random pools of related certificates for the verifyChain ⇄ `openssl verify` differential: one or two
 * roots, up to three intermediates issued by random earlier CAs, one leaf, each with random
 * basicConstraints (cA, pathLen), keyUsage, extKeyUsage, name constraints, validity and SANs. Built with
 * D's `@sanstls/x509/generate`, Ed25519 keys (fast, and OpenSSL 3 verifies them), a seeded RNG and a
 * fixed clock, so pool N is the same everywhere.
 */
import { KeyUsageBit, type KeyUsageName, type PrivateKey } from '@sanstls/x509';
import {
  createCertificate,
  type ExtKeyUsageName,
  generateKey,
  type NameConstraintsInput,
} from '@sanstls/x509/generate';
import { Rng } from './mutate.js';

export const POOL_NOW = new Date(Date.UTC(2026, 5, 1));
const DAY = 86_400_000;

export interface PoolCert {
  name: string;
  der: Uint8Array;
  pem: string;
  key: PrivateKey;
  isCa: boolean;
  /** The keyUsage bits asserted; undefined when the certificate has no keyUsage extension. */
  keyUsage: KeyUsageName[] | undefined;
  /** dNSName SANs. */
  sans: string[];
  /** What the generator chose, for the report of a disagreement. */
  description: string;
}

export interface CertPool {
  seed: number;
  roots: PoolCert[];
  intermediates: PoolCert[];
  leaf: PoolCert;
  /** Reference name to check, or undefined. */
  hostname: string | undefined;
  purpose: 'serverAuth' | 'clientAuth';
}

const KEY_USAGES: KeyUsageName[] = ['digitalSignature', 'keyEncipherment', 'keyCertSign', 'cRLSign', 'keyAgreement'];
const EKUS: ExtKeyUsageName[] = ['serverAuth', 'clientAuth', 'codeSigning', 'emailProtection'];
const HOSTS = ['example.com', 'www.example.com', 'a.b.example.com', 'other.org', 'localhost'];

let keys: PrivateKey[] | undefined;

function poolKeys(): PrivateKey[] {
  if (keys === undefined) {
    const rng = new Rng(99);
    keys = Array.from({ length: 6 }, () => generateKey('ed25519', { randomBytes: (n) => rng.bytes(n) }).privateKey);
  }
  return keys;
}

function subset<T>(rng: Rng, items: readonly T[]): T[] {
  return items.filter(() => rng.below(2) === 0);
}

/** Mostly valid; sometimes expired or not yet valid. */
function validity(rng: Rng): { notBefore: Date; notAfter: Date; text: string } {
  const now = POOL_NOW.getTime();
  switch (rng.below(8)) {
    case 0:
      return { notBefore: new Date(now - 400 * DAY), notAfter: new Date(now - DAY), text: 'expired' };
    case 1:
      return { notBefore: new Date(now + DAY), notAfter: new Date(now + 400 * DAY), text: 'not yet valid' };
    default:
      return { notBefore: new Date(now - 30 * DAY), notAfter: new Date(now + 300 * DAY), text: 'valid' };
  }
}

function nameConstraints(rng: Rng): NameConstraintsInput | undefined {
  switch (rng.below(6)) {
    case 0:
      return { permitted: { dns: ['example.com'] } };
    case 1:
      return { excluded: { dns: ['www.example.com'] } };
    case 2:
      return { permitted: { dns: ['other.org'] }, excluded: { dns: ['bad.other.org'] } };
    default:
      return undefined;
  }
}

export function makePool(seed: number): CertPool {
  const rng = new Rng(seed);
  const randomBytes = (n: number): Uint8Array => rng.bytes(n);
  const k = poolKeys();
  let serial = 1;
  const issue = (
    name: string,
    key: PrivateKey,
    issuer: PoolCert | undefined,
    role: 'root' | 'intermediate' | 'leaf',
  ): PoolCert => {
    // CAs are CAs most of the time; a leaf occasionally claims to be one.
    const isCa = role === 'leaf' ? rng.below(10) === 0 : rng.below(8) !== 0;
    const pathLen = isCa && rng.below(3) === 0 ? rng.below(2) : undefined;
    const v = validity(rng);
    const keyUsage =
      rng.below(4) === 0
        ? subset(rng, KEY_USAGES)
        : role === 'leaf'
          ? (['digitalSignature'] as KeyUsageName[])
          : undefined;
    const omitKeyUsage = keyUsage !== undefined && keyUsage.length === 0;
    const extKeyUsage = rng.below(3) === 0 ? subset(rng, EKUS) : undefined;
    const nc = role !== 'leaf' && isCa ? nameConstraints(rng) : undefined;
    const sans = role === 'leaf' ? subset(rng, HOSTS) : [];
    const cert = createCertificate({
      subject: `CN=${name}`,
      key,
      issuer: issuer === undefined ? undefined : { certificate: issuer.der, key: issuer.key },
      serialNumber: serial++,
      now: POOL_NOW,
      notBefore: v.notBefore,
      notAfter: v.notAfter,
      isCa,
      pathLen,
      keyUsage: omitKeyUsage ? undefined : keyUsage,
      omitExtensions: omitKeyUsage ? ['keyUsage'] : [],
      extKeyUsage: extKeyUsage !== undefined && extKeyUsage.length > 0 ? extKeyUsage : undefined,
      nameConstraints: nc,
      subjectAltNames: sans.length > 0 ? { dns: sans } : undefined,
      randomBytes,
    });
    const description = [
      `${name} (${role}${issuer ? ` issued by ${issuer.name}` : ''})`,
      `cA=${isCa}${pathLen !== undefined ? ` pathLen=${pathLen}` : ''}`,
      v.text,
      keyUsage === undefined ? 'default KU' : omitKeyUsage ? 'no KU' : `KU=${keyUsage.join('+')}`,
      extKeyUsage === undefined || extKeyUsage.length === 0 ? 'no EKU' : `EKU=${extKeyUsage.join('+')}`,
      nc === undefined ? '' : `NC=${JSON.stringify(nc)}`,
      sans.length > 0 ? `SAN=${sans.join(',')}` : '',
    ]
      .filter((s) => s !== '')
      .join(' ');
    const asserted = cert.certificate.keyUsage;
    const names =
      asserted === undefined
        ? undefined
        : (Object.keys(KeyUsageBit) as KeyUsageName[]).filter((n) => asserted.has(KeyUsageBit[n]));
    return { name, der: cert.der, pem: cert.pem, key, isCa, keyUsage: names, sans, description };
  };
  const roots: PoolCert[] = [];
  const rootCount = 1 + rng.below(2);
  for (let i = 0; i < rootCount; i++) roots.push(issue(`root${i}`, k[i] as PrivateKey, undefined, 'root'));
  const intermediates: PoolCert[] = [];
  const intCount = rng.below(4);
  for (let i = 0; i < intCount; i++) {
    const issuer = rng.pick([...roots, ...intermediates]);
    intermediates.push(issue(`int${i}`, k[2 + i] as PrivateKey, issuer, 'intermediate'));
  }
  const leafIssuer = rng.pick([...roots, ...intermediates]);
  const leaf = issue('leaf', k[5] as PrivateKey, leafIssuer, 'leaf');
  // Mostly a name the leaf carries (so name constraints, not plain mismatches, decide), sometimes any.
  const leafSans = leaf.sans;
  const hostname =
    rng.below(3) === 0 ? undefined : leafSans.length > 0 && rng.below(4) !== 0 ? rng.pick(leafSans) : rng.pick(HOSTS);
  const purpose = rng.below(4) === 0 ? 'clientAuth' : 'serverAuth';
  return { seed, roots, intermediates, leaf, hostname, purpose };
}
