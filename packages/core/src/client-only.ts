/**
 * `@sanstls/core/client`: the same API as `@sanstls/core` for a client-only bundle (issue #9). Nothing
 * here installs the server state machines or the private-key parsers (slots.ts), so a bundler leaves
 * them out: `wrapBio(…, { serverSide: true })` and `SSLContext.loadCertChain` with a PEM/DER key raise
 * SSLError NOT_SUPPORTED until {@link installServerSupport} / {@link installPrivateKeySupport} are called
 * (client certificates also work without them through `loadCertChainWithSigner`). Importing
 * `@sanstls/core` anywhere in the program installs both. Same modules, same classes: `instanceof` holds
 * across the two entries. This entry installs the noble provider as the default crypto provider when it
 * loads (which is why package.json lists it under "sideEffects"); `@sanstls/core/client-base` is the same
 * API without it.
 * @module
 */
import { defaultProvider } from './crypto/noble.js';
import { setDefaultCryptoProvider } from './slots.js';

export * from './client-base.js';

setDefaultCryptoProvider(defaultProvider);
