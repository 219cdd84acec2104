/**
 * Mozilla's root certificates as Debian ships them (`ca-certificates`, built from Mozilla's certdata with
 * the server-authentication trust bit), generated at build time by `scripts/gen-mozilla-roots.mjs` from
 * /etc/ssl/certs/ca-certificates.crt into `generated/mozilla-roots-data.ts` (not committed: run the
 * script, or `pnpm build`, to produce it). A separate entry so pages that bring their own anchors do not
 * carry ~150 KB of roots.
 *
 * ```ts
 * import { mozillaRoots, MOZILLA_ROOTS_DATE } from '@sanstls/web-adapter/mozilla-roots';
 * const tls = await connectTls(tunnel, { serverHostname: 'example.com', trustAnchors: mozillaRoots() });
 * ```
 * @module
 */
import { SSLError } from '@sanstls/core/client-base';
import { ROOTS_BASE64, ROOTS_SOURCE } from './generated/mozilla-roots-data.js';

/** Where the roots came from: the bundle path, its package version and date, its SHA-256, the count. */
export const MOZILLA_ROOTS_SOURCE: {
  readonly path: string;
  readonly package: string | null;
  /** The bundle's date (YYYY-MM-DD): the package version's date, else the file's modification date. */
  readonly date: string;
  readonly sha256: string;
  readonly count: number;
} = ROOTS_SOURCE;

export const MOZILLA_ROOTS_DATE: string = ROOTS_SOURCE.date;

let decoded: Uint8Array[] | undefined;

/** The roots as DER certificates (decoded once). Throws when the generator found no system bundle. */
export function mozillaRoots(): Uint8Array[] {
  if (ROOTS_BASE64.length === 0) {
    throw new SSLError(`no Mozilla roots were generated (${ROOTS_SOURCE.path} was absent at build time)`, {
      library: 'X509',
      reason: 'NO_CERTIFICATE_OR_CRL_FOUND',
    });
  }
  decoded ??= ROOTS_BASE64.map((b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
  return decoded.map((der) => der.slice());
}
