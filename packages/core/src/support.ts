/**
 * Installers for the parts a client-only bundle leaves out (slots.ts, issue #9). The full entry
 * `@sanstls/core` calls both when it loads; a page built on `@sanstls/core/client` or
 * `@sanstls/web-adapter/client` calls one only when it needs it (a server in a worker, a client
 * certificate whose key is PEM/DER rather than a signer), and pays its bytes only then.
 * @module
 */
import { loadPrivateKey, nobleSign, privateKeyMatchesPublicKey } from '@sanstls/x509';
import {
  chooseServerVersion,
  tls12OnClientHello,
  tls12ServerChangeCipherSpec,
  tls12ServerHandle,
} from './server/tls12.js';
import {
  serverHandle,
  serverPostHandshakeAuthMessage,
  serverRequestPostHandshakeAuth,
  startServer,
} from './server/tls13.js';
import { setPrivateKeySupport, setServerRole } from './slots.js';

/** Makes server-side connections possible (`wrapBio(…, { serverSide: true })`). Idempotent. */
export function installServerSupport(): void {
  setServerRole({
    startServer,
    serverHandle,
    serverRequestPostHandshakeAuth,
    serverPostHandshakeAuthMessage,
    chooseServerVersion,
    tls12OnClientHello,
    tls12ServerHandle,
    tls12ServerChangeCipherSpec,
  });
}

/**
 * Makes `SSLContext.loadCertChain` accept private keys (PEM/DER PKCS#8 — encrypted too, PBES2 with
 * PBKDF2 or scrypt —, PKCS#1, SEC1, legacy encrypted PEM) and the noble provider sign with them.
 * Idempotent.
 */
export function installPrivateKeySupport(): void {
  setPrivateKeySupport({ loadPrivateKey, privateKeyMatchesPublicKey, sign: nobleSign });
}
