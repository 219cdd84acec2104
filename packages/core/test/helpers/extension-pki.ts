/**
 * Extra certificates for the extension tests (made with the openssl CLI next to testPki()): a second
 * EC CA ("CA B") with a client leaf, an RSA CA with an RSA server leaf (so its chain is signed with
 * sha256WithRSAEncryption, not ECDSA), an RSA client leaf under the main CA, and a real OCSP response
 * (`openssl ocsp`, signed by the main CA) for the main CA's ec256 server leaf.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testPki } from './tls-pair.js';

export interface Issued {
  certPem: string;
  keyPem: string;
  certFile: string;
  keyFile: string;
}

export interface ExtensionPki {
  caB: Issued;
  clientUnderB: Issued;
  rsaCa: Issued;
  rsaServerUnderRsaCa: Issued;
  rsaClientUnderA: Issued;
  /** DER OCSP response (good) for testPki().leaf.ec256, and its file. */
  ocspResponse: Uint8Array;
  ocspResponseFile: string;
}

let cached: ExtensionPki | undefined;

function openssl(args: string[], cwd: string): string {
  return execFileSync('openssl', args, { cwd, encoding: 'latin1', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function extensionPki(): ExtensionPki {
  if (cached !== undefined) return cached;
  const pki = testPki();
  const dir = pki.dir;
  const read = (name: string): Issued => ({
    certPem: readFileSync(join(dir, `${name}.pem`), 'utf8'),
    keyPem: readFileSync(join(dir, `${name}.key`), 'utf8'),
    certFile: join(dir, `${name}.pem`),
    keyFile: join(dir, `${name}.key`),
  });
  const ca = (name: string, keyArgs: string[], cn: string) => {
    openssl(['genpkey', ...keyArgs, '-out', `${name}.key`], dir);
    openssl(
      [
        'req',
        '-x509',
        '-new',
        '-key',
        `${name}.key`,
        '-subj',
        `/CN=${cn}`,
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
    return read(name);
  };
  const issue = (name: string, keyArgs: string[], caName: string, ext: string) => {
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
    return read(name);
  };
  const ec = ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'];
  const rsa = ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'];
  const clientExt = 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n';
  const serverExt =
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n';
  const caB = ca('ca-b', ec, 'sanstls test CA B');
  const clientUnderB = issue('client-under-b', ec, 'ca-b', clientExt);
  const rsaCa = ca('ca-rsa', rsa, 'sanstls test RSA CA');
  const rsaServerUnderRsaCa = issue('server-rsa-under-rsa-ca', rsa, 'ca-rsa', serverExt);
  const rsaClientUnderA = issue('client-rsa-under-a', rsa, 'ca', clientExt);

  // OCSP (RFC 6960) for the main CA's ec256 server leaf: a request, then the CA answering from an index.
  const leafFile = pki.leaf.ec256.certFile;
  const serial = /serial=([0-9A-F]+)/i.exec(openssl(['x509', '-in', leafFile, '-noout', '-serial'], dir))![1]!;
  writeFileSync(join(dir, 'ocsp-index.txt'), `V\t301231235959Z\t\t${serial}\tunknown\t/CN=server-ec256\n`);
  openssl(['ocsp', '-issuer', 'ca.pem', '-cert', leafFile, '-no_nonce', '-reqout', 'ocsp-req.der'], dir);
  openssl(
    [
      'ocsp',
      '-index',
      'ocsp-index.txt',
      '-rsigner',
      'ca.pem',
      '-rkey',
      'ca.key',
      '-CA',
      'ca.pem',
      '-reqin',
      'ocsp-req.der',
      '-respout',
      'ocsp-resp.der',
      '-ndays',
      '2',
    ],
    dir,
  );
  const ocspResponseFile = join(dir, 'ocsp-resp.der');
  cached = {
    caB,
    clientUnderB,
    rsaCa,
    rsaServerUnderRsaCa,
    rsaClientUnderA,
    ocspResponse: new Uint8Array(readFileSync(ocspResponseFile)),
    ocspResponseFile,
  };
  return cached;
}
