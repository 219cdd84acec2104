/**
 * Extra certificates for the extension tests (made with the openssl CLI next to testPki()): a second
 * EC CA ("CA B") with a client leaf, an RSA CA with an RSA server leaf (so its chain is signed with
 * sha256WithRSAEncryption, not ECDSA), an RSA client leaf under the main CA, and a real OCSP response
 * (`openssl ocsp`, signed by the main CA) for the main CA's ec256 server leaf.
 */
import { join } from 'node:path';
import { EC_P256, type Issued, issueCertificate, makeCa, ocspResponse, RSA_2048 } from './openssl-ca.js';
import { testPki } from './tls-pair.js';

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

export function extensionPki(): ExtensionPki {
  if (cached !== undefined) return cached;
  const pki = testPki();
  const dir = pki.dir;
  const clientExt = 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n';
  const serverExt =
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n';
  const caB = makeCa(dir, 'ca-b', EC_P256, 'sanstls test CA B');
  const clientUnderB = issueCertificate(dir, 'ca-b', 'client-under-b', EC_P256, clientExt);
  const rsaCa = makeCa(dir, 'ca-rsa', RSA_2048, 'sanstls test RSA CA');
  const rsaServerUnderRsaCa = issueCertificate(dir, 'ca-rsa', 'server-rsa-under-rsa-ca', RSA_2048, serverExt);
  const rsaClientUnderA = issueCertificate(dir, 'ca', 'client-rsa-under-a', RSA_2048, clientExt);
  // OCSP (RFC 6960) for the main CA's ec256 server leaf, the CA answering for itself.
  const ca = { certFile: pki.caFile, keyFile: join(dir, 'ca.key') };
  const ocsp = ocspResponse(dir, ca, pki.leaf.ec256.certFile);
  cached = {
    caB,
    clientUnderB,
    rsaCa,
    rsaServerUnderRsaCa,
    rsaClientUnderA,
    ocspResponse: ocsp.der,
    ocspResponseFile: ocsp.file,
  };
  return cached;
}
