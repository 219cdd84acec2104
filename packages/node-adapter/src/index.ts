/**
 * @sanstls/node-adapter: sanstls for Node. Everything from @sanstls/core (so one import is enough), plus file
 * paths and the system trust store for `SSLContext`, Python-shaped and node:tls-shaped sockets, and the CLI.
 * @module
 */
export * from '@sanstls/core';
export { createDefaultContext, getServerCertificate, SSLContext } from './context.js';
export { TransportTimeoutError } from './driver.js';
export { type CapathContents, certificatesInPem, loadCapath, resolvePemOrPath } from './files.js';
export { type NodePeerCertificate, nodePeerCertificate, nodePeerCertificateChain } from './node-cert.js';
export { createNodeCryptoProvider, type NodeCryptoProviderOptions, nodeCryptoProvider } from './node-crypto.js';
export { SSLSocket, type WrapSocketOptions } from './sslsocket.js';
export {
  type ConnectOptions,
  connect,
  createServer,
  type SecureContextOptions,
  Server,
  type ServerOptions,
  TLSSocket,
  type TLSSocketOptions,
} from './tls.js';
export {
  type DefaultVerifyPaths,
  getDefaultVerifyPaths,
  type PathProbe,
  systemCaDirs,
  systemCaFiles,
} from './verify-paths.js';
