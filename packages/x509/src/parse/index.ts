/**
 * Certificate and CRL parsing, PEM, and Python's `getpeercert()` dict.
 * @module
 */

export { ExtensionOid, loadCertificates, parseCertificate } from './cert.js';
export { parseGeneralName, parseGeneralNames, parseName } from './name.js';
export { DER_cert_to_PEM_cert, PEM_cert_to_DER_cert, PEM_FOOTER, PEM_HEADER, type PemBlock, pemBlocks } from './pem.js';
