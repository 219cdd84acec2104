/**
 * @sanstls/node-adapter: sanstls for Node. Everything from @sanstls/core (so one import is enough), plus file
 * paths and the system trust store for `SSLContext`, Python-shaped and node:tls-shaped sockets, and the CLI.
 * @module
 */
export * from '@sanstls/core';
export { type CapathContents, certificatesInPem, loadCapath, resolvePemOrPath } from './files.js';
export {
  type DefaultVerifyPaths,
  type PathProbe,
  getDefaultVerifyPaths,
  systemCaDirs,
  systemCaFiles,
} from './verify-paths.js';
