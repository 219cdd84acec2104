export { checkX25519Share, diffieHellmanGroup, x25519MlKem768Hybrid } from './groups.js';
export * from './keyschedule.js';
export type { NobleProviderOptions } from './noble.js';
export {
  createNobleProvider,
  defaultProvider,
  nobleAead,
  nobleSha256,
  nobleSha384,
  platformRandomBytes,
} from './noble.js';
export * from './prf12.js';
export * from './provider.js';
export { POOLED_REQUEST_LIMIT, pooledRandomBytes, RANDOM_POOL_BLOCK } from './random-pool.js';
export * from './transcript.js';
