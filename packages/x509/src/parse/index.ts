/**
 * Certificate and CRL parsing, PEM, and Python's `getpeercert()` dict.
 * @module
 */

export { ExtensionOid, loadCertificates, parseAlgorithmIdentifier, parseCertificate } from './cert.js';
export { loadCrls, parseCrl } from './crl.js';
export {
  asn1TimeText,
  decodeCertificate,
  type PeerCertAltName,
  type PeerCertAttribute,
  type PeerCertDict,
  type PeerCertName,
} from './decode.js';
export { nameToString, parseGeneralName, parseGeneralNames, parseName, parseTime, toHex } from './name.js';
export { oidLongName, oidShortName } from './oids.js';
export {
  DER_cert_to_PEM_cert,
  PEM_cert_to_DER_cert,
  PEM_FOOTER,
  PEM_HEADER,
  type PemBlock,
  pemBlocks,
  pemEncode,
} from './pem.js';
export { certTimeToSeconds } from './time.js';
