/**
 * Trust in the browser: there is no system store to read, so the caller brings the anchors — PEM text,
 * DER bytes, or the optional generated module of Mozilla's roots (`@sanstls/web-adapter/mozilla-roots`).
 * @module
 */
import {
  CERT_NONE,
  type CryptoProvider,
  PROTOCOL_TLS_CLIENT,
  PROTOCOL_TLS_SERVER,
  SSLContext,
  SSLError,
  TLSVersion,
} from '@sanstls/core/client-base';

/** One anchor or many: PEM text (one or more blocks) or DER bytes of one certificate. */
export type TrustAnchorInput = string | Uint8Array | readonly (string | Uint8Array)[];

/** The settings the web bindings turn into an SSLContext when the caller passes none. */
export interface WebContextOptions {
  /** Trust anchors (PEM or DER). Without them every certificate fails verification, unless verify is off. */
  readonly trustAnchors?: TrustAnchorInput;
  /** `CERT_REQUIRED` (default for clients), `CERT_OPTIONAL` or `CERT_NONE`. */
  readonly verifyMode?: number;
  /** Check the server name against the certificate (default true for clients). */
  readonly checkHostname?: boolean;
  readonly alpnProtocols?: readonly string[];
  /** `TLSVersion.TLSv1_2` or `TLSVersion.TLSv1_3`. */
  readonly minimumVersion?: number;
  readonly maximumVersion?: number;
  /** TLS 1.3 suites in OpenSSL's spelling (`TLS_AES_128_GCM_SHA256:…`). */
  readonly ciphersuites?: string;
  readonly groups?: readonly string[];
  readonly cryptoProvider?: CryptoProvider;
  /** Milliseconds since the epoch (certificate validity); default the platform clock. */
  readonly now?: () => number;
  /** Server side: certificate chain and key (PEM or DER), as SSLContext.loadCertChain takes them. */
  readonly certChain?: { readonly cert: string | Uint8Array; readonly key?: string | Uint8Array };
}

/** Adds anchors to a context's trust store. DER arrays are added as they are (parsed lazily when used). */
export function addTrustAnchors(context: SSLContext, anchors: TrustAnchorInput): number {
  const list = typeof anchors === 'string' || anchors instanceof Uint8Array ? [anchors] : anchors;
  let added = 0;
  for (const anchor of list) {
    if (typeof anchor === 'string') {
      const before = context.trustStore.certificates().length;
      context.loadVerifyLocations({ cadata: anchor });
      added += context.trustStore.certificates().length - before;
    } else {
      context.trustStore.add(anchor);
      added++;
    }
  }
  return added;
}

/** An SSLContext for the web bindings from plain options. */
export function createWebContext(options: WebContextOptions = {}, serverSide = false): SSLContext {
  const context = new SSLContext(serverSide ? PROTOCOL_TLS_SERVER : PROTOCOL_TLS_CLIENT, {
    ...(options.cryptoProvider === undefined ? {} : { cryptoProvider: options.cryptoProvider }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  if (options.checkHostname !== undefined) context.checkHostname = options.checkHostname;
  if (options.verifyMode !== undefined) {
    if (options.verifyMode === CERT_NONE) context.checkHostname = false;
    context.verifyMode = options.verifyMode;
  }
  if (options.trustAnchors !== undefined) addTrustAnchors(context, options.trustAnchors);
  if (options.alpnProtocols !== undefined) context.setAlpnProtocols(options.alpnProtocols);
  if (options.minimumVersion !== undefined) context.minimumVersion = options.minimumVersion;
  if (options.maximumVersion !== undefined) context.maximumVersion = options.maximumVersion;
  if (options.ciphersuites !== undefined) context.setCiphersuites(options.ciphersuites);
  if (options.groups !== undefined) context.setGroups(options.groups);
  if (options.certChain !== undefined) context.loadCertChain(options.certChain.cert, options.certChain.key);
  else if (serverSide) throw new SSLError('a server needs certChain', { library: 'SSL', reason: 'BAD_VALUE' });
  return context;
}

export { TLSVersion };
