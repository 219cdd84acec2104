/**
 * Ready-made certificate chains for tests and demos: a root CA, optionally an intermediate CA, and a
 * TLS leaf, for any key type {@link generateKey} supports.
 * @module
 */
import type { KeyUsageName, PrivateKey, SignatureProvider } from '../types.js';
import { parseIpAddress } from '../verify/ip.js';
import { createCertificate, type GeneratedCertificate } from './certificate.js';
import { invalidArgument } from './errors.js';
import type { AltNames, ExtKeyUsageName } from './extensions.js';
import { generateKey, type KeyType, privateKeyPem } from './keys.js';
import type { NameInput } from './name.js';
import { type RandomBytes, resolveNow, resolveRandomBytes } from './random.js';

/** One certificate of a generated chain, with its private key. */
export interface ChainMember extends GeneratedCertificate {
  readonly key: PrivateKey;
  /** The key as unencrypted PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`). */
  readonly keyPem: string;
}

export interface GeneratedChain {
  readonly root: ChainMember;
  /** Present when `depth` is 2. */
  readonly intermediate?: ChainMember;
  readonly leaf: ChainMember;
  /** The leaf then the intermediate (if any), as PEM: what a server presents. */
  readonly certChainPem: string;
}

export interface ChainOptions {
  /** Key type of every certificate in the chain (and of the leaf unless `leafKeyType` is given). */
  readonly keyType: KeyType;
  readonly leafKeyType?: KeyType;
  /** Leaf SANs: text entries (IP literals become iPAddress, the rest dNSName) or a full {@link AltNames}. Default `localhost`, `127.0.0.1`, `::1`. */
  readonly leafSubjectAltNames?: readonly string[] | AltNames;
  /** 1: root → leaf; 2 (default): root → intermediate → leaf. */
  readonly depth?: 1 | 2;
  /** Default `['serverAuth', 'clientAuth']`, so one chain serves both sides of a test connection. */
  readonly leafExtKeyUsage?: readonly (ExtKeyUsageName | (string & {}))[];
  readonly leafKeyUsage?: readonly KeyUsageName[];
  /** Default `CN=<first SAN>`. */
  readonly leafSubject?: NameInput;
  readonly rootSubject?: NameInput;
  readonly intermediateSubject?: NameInput;
  /** Keys to reuse instead of generating (RSA generation is slow in pure BigInt). */
  readonly keys?: { readonly root?: PrivateKey; readonly intermediate?: PrivateKey; readonly leaf?: PrivateKey };
  /** Validity start is `now` minus one hour (tolerates clock skew between test peers). Default `new Date()`. */
  readonly now?: Date;
  /** Validity length of every certificate; default 365. */
  readonly days?: number;
  readonly randomBytes?: RandomBytes;
  readonly signatureProvider?: SignatureProvider;
}

const HOUR_MS = 3_600_000;

function leafAltNames(input: ChainOptions['leafSubjectAltNames']): AltNames {
  const list = input ?? ['localhost', '127.0.0.1', '::1'];
  if (!Array.isArray(list)) return list as AltNames;
  const dns: string[] = [];
  const ip: string[] = [];
  for (const name of list as readonly string[]) (parseIpAddress(name) === undefined ? dns : ip).push(name);
  return { dns, ip };
}

function firstName(names: AltNames): string {
  const first = names.dns?.[0] ?? names.ip?.[0] ?? names.email?.[0] ?? names.uri?.[0];
  if (first === undefined) throw invalidArgument('createChain: give the leaf a subject or at least one SAN');
  return first;
}

/**
 * Generates a root CA, an optional intermediate and a leaf certificate.
 *
 * @example
 * ```ts
 * const { root, leaf, certChainPem } = createChain({ keyType: 'ecdsa-p256', leafSubjectAltNames: ['localhost'] });
 * serverContext.loadCertChain(certChainPem, leaf.keyPem);
 * clientContext.loadVerifyLocations({ cadata: root.pem });
 * ```
 */
export function createChain(opts: ChainOptions): GeneratedChain {
  const randomBytes = resolveRandomBytes(opts.randomBytes);
  const now = resolveNow(opts.now);
  const depth = opts.depth ?? 2;
  if (depth !== 1 && depth !== 2) throw invalidArgument(`createChain depth must be 1 or 2, got ${String(depth)}`);
  const notBefore = new Date(now.getTime() - HOUR_MS);
  const common = {
    now,
    notBefore,
    days: opts.days ?? 365,
    randomBytes,
    ...(opts.signatureProvider !== undefined ? { signatureProvider: opts.signatureProvider } : {}),
  };
  const keyFor = (given: PrivateKey | undefined, type: KeyType): PrivateKey =>
    given ?? generateKey(type, { randomBytes }).privateKey;
  const member = (cert: GeneratedCertificate, key: PrivateKey): ChainMember => ({
    ...cert,
    key,
    keyPem: privateKeyPem(key),
  });

  const rootKey = keyFor(opts.keys?.root, opts.keyType);
  const root = member(
    createCertificate({
      ...common,
      subject: opts.rootSubject ?? 'CN=sanstls Test Root CA,O=sanstls',
      key: rootKey,
      isCa: true,
    }),
    rootKey,
  );
  let issuer: ChainMember = root;
  let intermediate: ChainMember | undefined;
  if (depth === 2) {
    const key = keyFor(opts.keys?.intermediate, opts.keyType);
    intermediate = member(
      createCertificate({
        ...common,
        subject: opts.intermediateSubject ?? 'CN=sanstls Test Intermediate CA,O=sanstls',
        key,
        issuer: { certificate: root.certificate, key: root.key },
        isCa: true,
        pathLen: 0,
      }),
      key,
    );
    issuer = intermediate;
  }
  const altNames = leafAltNames(opts.leafSubjectAltNames);
  const leafKey = keyFor(opts.keys?.leaf, opts.leafKeyType ?? opts.keyType);
  const leaf = member(
    createCertificate({
      ...common,
      subject: opts.leafSubject ?? [['CN', firstName(altNames)]],
      key: leafKey,
      issuer: { certificate: issuer.certificate, key: issuer.key },
      subjectAltNames: altNames,
      extKeyUsage: opts.leafExtKeyUsage ?? ['serverAuth', 'clientAuth'],
      ...(opts.leafKeyUsage !== undefined ? { keyUsage: opts.leafKeyUsage } : {}),
    }),
    leafKey,
  );
  return {
    root,
    ...(intermediate !== undefined ? { intermediate } : {}),
    leaf,
    certChainPem: leaf.pem + (intermediate?.pem ?? ''),
  };
}
