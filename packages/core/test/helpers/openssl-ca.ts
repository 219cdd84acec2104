/**
 * The openssl CLI as a test CA (an independent implementation, so our parser and verifier check something they did
 * not produce): self-signed CAs, leaves issued by them, and OCSP responses (RFC 6960) answered from an index.
 * Shared by core's extension PKI, web-adapter's test PKI and node-adapter's OCSP stapling tests.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** `genpkey` arguments. */
export const EC_P256 = ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'] as const;
export const RSA_2048 = ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'] as const;

/** A certificate and its key, as text and as files in the CA directory. */
export interface Issued {
  certPem: string;
  keyPem: string;
  certFile: string;
  keyFile: string;
}

/** Runs `openssl` in `cwd`; returns its output (stderr is kept for the error of a failed run). */
export function openssl(args: readonly string[], cwd: string): string {
  return execFileSync('openssl', args, { cwd, encoding: 'latin1', stdio: ['ignore', 'pipe', 'pipe'] });
}

function read(dir: string, name: string): Issued {
  return {
    certPem: readFileSync(join(dir, `${name}.pem`), 'utf8'),
    keyPem: readFileSync(join(dir, `${name}.key`), 'utf8'),
    certFile: join(dir, `${name}.pem`),
    keyFile: join(dir, `${name}.key`),
  };
}

/** A self-signed CA `<name>.pem`/`<name>.key` in `dir` (30 days, SHA-256, keyCertSign + cRLSign). */
export function makeCa(dir: string, name: string, keyArgs: readonly string[], commonName = name): Issued {
  openssl(['genpkey', ...keyArgs, '-out', `${name}.key`], dir);
  openssl(
    [
      'req',
      '-x509',
      '-new',
      '-key',
      `${name}.key`,
      '-subj',
      `/CN=${commonName}`,
      '-days',
      '30',
      '-sha256',
      '-out',
      `${name}.pem`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  return read(dir, name);
}

/** A certificate `<name>.pem` (CN=name) for a new key, issued by the CA `<caName>` in `dir` with extension lines `ext`. */
export function issueCertificate(
  dir: string,
  caName: string,
  name: string,
  keyArgs: readonly string[],
  ext: string,
): Issued {
  openssl(['genpkey', ...keyArgs, '-out', `${name}.key`], dir);
  openssl(['req', '-new', '-key', `${name}.key`, '-subj', `/CN=${name}`, '-out', `${name}.csr`], dir);
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${caName}.pem`,
      '-CAkey',
      `${caName}.key`,
      '-CAcreateserial',
      '-days',
      '30',
      '-sha256',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.pem`,
    ],
    dir,
  );
  return read(dir, name);
}

/**
 * A DER OCSP response (RFC 6960) saying "good" for the certificate in `certFile`, signed by its issuer (the CA
 * answering for itself, `openssl ocsp -index`), valid two days; written to `<dir>/<out>`.
 */
export function ocspResponse(
  dir: string,
  issuer: { certFile: string; keyFile: string },
  certFile: string,
  out = 'ocsp-resp.der',
): { der: Uint8Array; file: string } {
  const facts = openssl(['x509', '-in', certFile, '-noout', '-serial', '-subject', '-nameopt', 'compat'], dir);
  const serial = /serial=([0-9A-F]+)/i.exec(facts)![1]!;
  const subject = /subject=(.*)/.exec(facts)![1]!.trim();
  const stem = out.replace(/\.der$/, '');
  writeFileSync(join(dir, `${stem}-index.txt`), `V\t301231235959Z\t\t${serial}\tunknown\t${subject}\n`);
  openssl(['ocsp', '-issuer', issuer.certFile, '-cert', certFile, '-no_nonce', '-reqout', `${stem}-req.der`], dir);
  openssl(
    [
      'ocsp',
      '-index',
      `${stem}-index.txt`,
      '-rsigner',
      issuer.certFile,
      '-rkey',
      issuer.keyFile,
      '-CA',
      issuer.certFile,
      '-reqin',
      `${stem}-req.der`,
      '-respout',
      out,
      '-ndays',
      '2',
    ],
    dir,
  );
  const file = join(dir, out);
  return { der: new Uint8Array(readFileSync(file)), file };
}
