/**
 * @sanstls/core: a synchronous, sans-IO TLS 1.2/1.3 engine with Python's `ssl` API shape
 * (SSLContext, SSLObject, MemoryBIO, SSLSession).
 * @module
 */
// The client entry's API is the base of this one (one export list, so the two cannot drift apart);
// this entry adds the server-side hooks and installs what the client entry leaves out.
export * from './client-only.js';
export type { OcspRequestCallback } from './context.js';
export {
  type NewSessionTicketSource,
  sessionFromNewSessionTicket,
  type TicketLookupCallback,
  type TicketLookupResult,
} from './tickets.js';

import { installPrivateKeySupport, installServerSupport } from './support.js';

// The full entry serves and loads private keys out of the box; `@sanstls/core/client` (client-only.ts)
// leaves both to an explicit call so a browser bundle does not carry them (slots.ts, issue #9). This is
// why package.json lists this file under "sideEffects".
installServerSupport();
installPrivateKeySupport();
