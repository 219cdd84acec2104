/**
 * RSASSA-PSS-params (RFC 4055 §3.1, RFC 8017 A.2.3) ↔ the `rsa-pss` {@link SignatureAlgorithm}.
 * @module
 */
import { contextConstructed, DerReader, derExplicit, derInteger, derNull, derOid, derSequence, Tag } from '../der.js';
import { SSLError } from '../errors.js';
import type { HashName, SignatureAlgorithm } from '../types.js';
import { HASH_OIDS, hashFromOid, OID } from './oids.js';

type PssAlgorithm = Extract<SignatureAlgorithm, { kind: 'rsa-pss' }>;

/** RFC 4055 §3.1 defaults: sha1, MGF1 with sha1, salt length 20, trailer field 1. */
const PSS_DEFAULTS = { hash: 'sha1', mgfHash: 'sha1', saltLength: 20 } as const;

/** The hashes RFC 4055 §2.1 defines for RSASSA-PSS. */
const PSS_HASHES: ReadonlySet<HashName> = new Set(['sha1', 'sha224', 'sha256', 'sha384', 'sha512']);

/** Largest salt we accept from an encoding; real keys use at most the hash length. */
const MAX_SALT_LENGTH = 1024;

/**
 * Decodes RSASSA-PSS-params (the DER of the whole SEQUENCE). Returns undefined for anything malformed
 * or outside RFC 4055: unknown hash, a mask generation function other than MGF1, trailerField ≠ 1.
 */
export function pssParamsFromDer(der: Uint8Array): PssAlgorithm | undefined {
  try {
    return readPssParams(der);
  } catch (error) {
    if (error instanceof SSLError) return undefined;
    throw error;
  }
}

function readPssParams(der: Uint8Array): PssAlgorithm | undefined {
  const outer = new DerReader(der, 'RSASSA-PSS-params');
  const seq = outer.sequence();
  outer.end();
  let hash: HashName = PSS_DEFAULTS.hash;
  let mgfHash: HashName = PSS_DEFAULTS.mgfHash;
  let saltLength: number = PSS_DEFAULTS.saltLength;

  const hashField = seq.readOptional(contextConstructed(0));
  if (hashField !== undefined) {
    const h = readHashAlgorithm(explicitContent(hashField.content, 'hashAlgorithm'));
    if (h === undefined) return undefined;
    hash = h;
  }
  const mgfField = seq.readOptional(contextConstructed(1));
  if (mgfField !== undefined) {
    // MaskGenAlgorithm: only id-mgf1 with a hash AlgorithmIdentifier as parameters (RFC 4055 §2.2).
    const mgfOuter = new DerReader(mgfField.content, 'maskGenAlgorithm');
    const mgf = mgfOuter.sequence();
    mgfOuter.end();
    if (mgf.readOid() !== OID.mgf1) return undefined;
    const h = readHashAlgorithm(mgf.read(Tag.SEQUENCE, 'MGF1 hash').raw);
    mgf.end();
    if (h === undefined) return undefined;
    mgfHash = h;
  }
  const saltField = seq.readOptional(contextConstructed(2));
  if (saltField !== undefined) {
    const r = new DerReader(saltField.content, 'saltLength');
    const value = r.readBigInt();
    r.end();
    if (value < 0n || value > BigInt(MAX_SALT_LENGTH)) return undefined;
    saltLength = Number(value);
  }
  const trailerField = seq.readOptional(contextConstructed(3));
  if (trailerField !== undefined) {
    // RFC 4055 §3.1: trailerField MUST be 1 (the 0xBC trailer).
    const r = new DerReader(trailerField.content, 'trailerField');
    const value = r.readBigInt();
    r.end();
    if (value !== 1n) return undefined;
  }
  seq.end();
  return { kind: 'rsa-pss', hash, mgfHash, saltLength };
}

function explicitContent(content: Uint8Array, what: string): Uint8Array {
  const r = new DerReader(content, what);
  const inner = r.read(Tag.SEQUENCE, what).raw;
  r.end();
  return inner;
}

/** A hash AlgorithmIdentifier: parameters absent or NULL (RFC 4055 §2.1 says both MUST be accepted). */
function readHashAlgorithm(der: Uint8Array): HashName | undefined {
  const outer = new DerReader(der, 'hash AlgorithmIdentifier');
  const seq = outer.sequence();
  outer.end();
  const hash = hashFromOid(seq.readOid());
  if (!seq.done) seq.readNull();
  seq.end();
  return hash !== undefined && PSS_HASHES.has(hash) ? hash : undefined;
}

/**
 * Encodes RSASSA-PSS-params, omitting fields equal to their DEFAULT as DER requires (X.690 §11.5).
 * Hash identifiers carry NULL parameters, as OpenSSL writes them.
 */
export function pssParamsToDer(alg: SignatureAlgorithm): Uint8Array {
  if (alg.kind !== 'rsa-pss')
    throw new SSLError('RSASSA-PSS parameters need an rsa-pss algorithm', {
      library: 'X509',
      reason: 'UNSUPPORTED_ALGORITHM',
    });
  if (!PSS_HASHES.has(alg.hash) || !PSS_HASHES.has(alg.mgfHash)) {
    throw new SSLError(`not supported: RSASSA-PSS with ${alg.hash}/${alg.mgfHash}`, {
      library: 'X509',
      reason: 'UNSUPPORTED_ALGORITHM',
    });
  }
  const fields: Uint8Array[] = [];
  const hashId = (h: HashName): Uint8Array => derSequence(derOid(HASH_OIDS[h]), derNull());
  if (alg.hash !== PSS_DEFAULTS.hash) fields.push(derExplicit(0, hashId(alg.hash)));
  if (alg.mgfHash !== PSS_DEFAULTS.mgfHash)
    fields.push(derExplicit(1, derSequence(derOid(OID.mgf1), hashId(alg.mgfHash))));
  if (alg.saltLength !== PSS_DEFAULTS.saltLength) fields.push(derExplicit(2, derInteger(alg.saltLength)));
  return derSequence(...fields);
}
