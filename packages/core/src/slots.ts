/**
 * Parts of the engine a browser client does not need, reached only through slots that an entry point
 * fills (issue #9: the browser client bundle). `TlsConnection` and `SSLContext` call the server state
 * machines and the private-key parsers through here instead of importing them, so a bundler
 * tree-shakes them out of a client that never installs them (`@sanstls/core/client`,
 * `@sanstls/web-adapter/client`). The full entry `@sanstls/core` installs both when it loads
 * (support.ts), so its behaviour is unchanged.
 * @module
 */
import type { PasswordInput, PrivateKey, PublicKey, SignatureProvider } from '@sanstls/x509';
import { SSLError } from '@sanstls/x509';
import type { CryptoProvider } from './crypto/provider.js';
import type * as ServerTls12 from './server/tls12.js';
import type * as ServerTls13 from './server/tls13.js';

/** The server-side handshake entry points TlsConnection drives (server/tls13.ts, server/tls12.ts). */
export interface ServerRole {
  readonly startServer: typeof ServerTls13.startServer;
  readonly serverHandle: typeof ServerTls13.serverHandle;
  readonly serverRequestPostHandshakeAuth: typeof ServerTls13.serverRequestPostHandshakeAuth;
  readonly serverPostHandshakeAuthMessage: typeof ServerTls13.serverPostHandshakeAuthMessage;
  readonly chooseServerVersion: typeof ServerTls12.chooseServerVersion;
  readonly tls12OnClientHello: typeof ServerTls12.tls12OnClientHello;
  readonly tls12ServerHandle: typeof ServerTls12.tls12ServerHandle;
  readonly tls12ServerChangeCipherSpec: typeof ServerTls12.tls12ServerChangeCipherSpec;
}

/**
 * Private keys: parsing for SSLContext.loadCertChain (PEM/DER PKCS#8, PKCS#1, SEC1, encrypted forms) and
 * the noble provider's signing with them (x509's nobleSign).
 */
export interface PrivateKeySupport {
  readonly loadPrivateKey: (source: string | Uint8Array, password?: PasswordInput) => PrivateKey;
  readonly privateKeyMatchesPublicKey: (privateKey: PrivateKey, publicKey: PublicKey) => boolean;
  readonly sign: SignatureProvider['sign'];
}

let serverRoleSlot: ServerRole | null = null;
let privateKeySlot: PrivateKeySupport | null = null;

export function setServerRole(role: ServerRole): void {
  serverRoleSlot = role;
}

export function setPrivateKeySupport(support: PrivateKeySupport): void {
  privateKeySlot = support;
}

/** The installed server state machines; an API error (no alert: no connection exists yet) when absent. */
export function serverRole(): ServerRole {
  if (serverRoleSlot === null) {
    throw new SSLError(
      'the server side is not installed (client entry points leave it out): call installServerSupport() first, or import @sanstls/core',
      { library: 'SSL', reason: 'NOT_SUPPORTED' },
    );
  }
  return serverRoleSlot;
}

/** The installed private-key parsers; an API error when absent. */
export function privateKeySupport(): PrivateKeySupport {
  if (privateKeySlot === null) {
    throw new SSLError(
      'private-key parsing and signing are not installed (client entry points leave them out): call installPrivateKeySupport() first or import @sanstls/core, or use loadCertChainWithSigner',
      { library: 'SSL', reason: 'NOT_SUPPORTED' },
    );
  }
  return privateKeySlot;
}

let cryptoProviderSlot: CryptoProvider | null = null;

/**
 * Installs the crypto provider an SSLContext uses when its options name none. `@sanstls/core` and
 * `@sanstls/core/client` install the noble provider when they load; `@sanstls/core/client-base` installs
 * nothing, so a bundle whose contexts always pass their own provider (the WebCrypto client, issue #9)
 * leaves noble's key exchange and signature code out.
 */
export function setDefaultCryptoProvider(provider: CryptoProvider): void {
  cryptoProviderSlot = provider;
}

/** The installed default crypto provider; an API error (no connection exists yet) when there is none. */
export function defaultCryptoProvider(): CryptoProvider {
  if (cryptoProviderSlot === null) {
    throw new SSLError(
      'no default crypto provider is installed (@sanstls/core/client-base leaves it out): pass options.cryptoProvider, or import @sanstls/core or @sanstls/core/client',
      { library: 'SSL', reason: 'NOT_SUPPORTED' },
    );
  }
  return cryptoProviderSlot;
}
