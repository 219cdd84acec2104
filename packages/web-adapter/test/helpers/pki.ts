/** Test certificates made with the openssl CLI in a temporary directory (a CA, leaves, an untrusted CA). */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EC_P256, issueCertificate, makeCa, RSA_2048 } from '../../../core/test/helpers/openssl-ca.js';

export interface Leaf {
  certPem: string;
  keyPem: string;
  certFile: string;
  keyFile: string;
  /** Leaf followed by the CA (what servers send). */
  chainPem: string;
  chainFile: string;
}

export interface Pki {
  dir: string;
  caPem: string;
  caFile: string;
  ec: Leaf;
  rsa: Leaf;
  /** A client certificate (P-256) for mutual TLS. */
  client: Leaf;
  /** Signed by a CA nobody trusts. */
  untrusted: Leaf;
}

let cached: Pki | undefined;

/** A leaf issued by `ca`, plus its chain (leaf, then the CA) as text and file. */
function issue(dir: string, ca: string, name: string, key: readonly string[], ext: string): Leaf {
  const leaf = issueCertificate(dir, ca, name, key, ext);
  const chainPem = leaf.certPem + readFileSync(join(dir, `${ca}.pem`), 'utf8');
  writeFileSync(join(dir, `${name}.chain.pem`), chainPem);
  return { ...leaf, chainPem, chainFile: join(dir, `${name}.chain.pem`) };
}

const SERVER_EXT =
  'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n';
const CLIENT_EXT =
  'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n';

export function testPki(): Pki {
  if (cached !== undefined) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'sanstls-web-pki-'));
  makeCa(dir, 'ca', EC_P256);
  makeCa(dir, 'rogue-ca', EC_P256);
  cached = {
    dir,
    caPem: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    caFile: join(dir, 'ca.pem'),
    ec: issue(dir, 'ca', 'ec-server', EC_P256, SERVER_EXT),
    rsa: issue(dir, 'ca', 'rsa-server', RSA_2048, SERVER_EXT),
    client: issue(dir, 'ca', 'client', EC_P256, CLIENT_EXT),
    untrusted: issue(dir, 'rogue-ca', 'untrusted-server', EC_P256, SERVER_EXT),
  };
  return cached;
}
