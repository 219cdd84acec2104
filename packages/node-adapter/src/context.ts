/**
 * Python's `ssl.SSLContext` for Node: core's context plus file paths, the system trust store, `wrapSocket`, and the
 * `SSLKEYLOGFILE` key log.
 * @module
 */
import { appendFileSync } from 'node:fs';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import {
  CERT_NONE,
  CERT_REQUIRED,
  SSLContext as CoreSSLContext,
  MemoryBIO,
  PROTOCOL_TLS_CLIENT,
  PROTOCOL_TLS_SERVER,
  Purpose,
  type SSLContextOptions,
} from '@sanstls/core';
import { DER_cert_to_PEM_cert, type PasswordInput, SSLError, verifyChain } from '@sanstls/x509';
import { EngineObject, type EngineOptions, type EngineSSLObject } from './engine.js';
import { loadCapath, pemOrDerFromFile, resolvePemOrPath } from './files.js';
import { SSLSocket, type WrapSocketOptions } from './sslsocket.js';
import { type NodeEngineContext, registerContextFactory } from './tls.js';
import { type DefaultVerifyPaths, getDefaultVerifyPaths } from './verify-paths.js';

type CaData = string | Uint8Array;
interface VerifyLocations {
  cafile?: string | null;
  capath?: string | null;
  cadata?: CaData | null;
}

export class SSLContext extends CoreSSLContext implements NodeEngineContext {
  private keylogPath: string | null = null;

  /**
   * Loads our certificate chain and key. A string is a file path unless it holds a `-----BEGIN` block (then it is
   * PEM text); bytes are DER. Without `keyfile` the key is read from the certificate file, as Python.
   */
  override loadCertChain(
    certfile: string | Uint8Array,
    keyfile?: string | Uint8Array | null,
    password?: PasswordInput | null,
  ): void {
    const cert = resolvePemOrPath('certfile', certfile);
    const key = keyfile == null ? undefined : resolvePemOrPath('keyfile', keyfile);
    super.loadCertChain(cert, key, password);
  }

  /**
   * Loads trust anchors from a PEM/DER file (`cafile`), an OpenSSL hashed directory (`capath`, every certificate in
   * it) and/or data (`cadata`); positional or keyword form, as Python.
   */
  override loadVerifyLocations(
    cafile?: string | null | VerifyLocations,
    capath?: string | null,
    cadata?: CaData | null,
  ): void {
    if (cafile !== null && typeof cafile === 'object') {
      this.loadVerifyLocations(cafile.cafile ?? undefined, cafile.capath ?? undefined, cafile.cadata ?? undefined);
      return;
    }
    if (cafile == null && capath == null && cadata == null) {
      throw new SSLError('cafile, capath and cadata cannot be all omitted', { library: 'SSL', reason: 'BAD_VALUE' });
    }
    if (cafile != null) super.loadVerifyLocations(undefined, undefined, pemOrDerFromFile('cafile', cafile));
    if (capath != null) {
      // OpenSSL accepts a colon-separated list of directories (X509_LOOKUP_hash_dir).
      for (const dir of capath.split(':').filter((d) => d !== '')) {
        for (const der of loadCapath(dir).certificates) super.loadVerifyLocations(undefined, undefined, der);
      }
    }
    if (cadata != null) super.loadVerifyLocations(undefined, undefined, cadata);
  }

  /** Python's `load_default_certs`: the system store (the purpose does not change which files are read). */
  override loadDefaultCerts(_purpose: Purpose = Purpose.SERVER_AUTH): void {
    this.setDefaultVerifyPaths();
  }

  /** Loads the default CA file and directory ({@link getDefaultVerifyPaths}); missing ones are skipped, as OpenSSL. */
  override setDefaultVerifyPaths(): void {
    const paths = getDefaultVerifyPaths();
    if (paths.cafile !== null) {
      try {
        this.loadVerifyLocations(paths.cafile);
      } catch (err) {
        // An empty or unreadable default bundle is not an error in OpenSSL either.
        if (!(err instanceof SSLError)) throw err;
      }
    }
    if (paths.capath !== null) {
      for (const der of loadCapath(paths.capath).certificates) {
        try {
          super.loadVerifyLocations(undefined, undefined, der);
        } catch (err) {
          if (!(err instanceof SSLError)) throw err;
        }
      }
    }
  }

  /** Python's `ssl.get_default_verify_paths()`, as a method for convenience. */
  getDefaultVerifyPaths(): DefaultVerifyPaths {
    return getDefaultVerifyPaths();
  }

  /**
   * Python 3.8's `keylog_filename`: every TLS secret is appended to this file in NSS key-log format (Wireshark reads
   * it). Null turns logging off.
   */
  get keylogFilename(): string | null {
    return this.keylogPath;
  }

  set keylogFilename(path: string | null) {
    this.keylogPath = path;
    if (path === null) {
      this.keylogCallback = null;
      return;
    }
    // Python writes a header line when it creates the file; appending keeps earlier sessions.
    appendFileSync(path, '');
    this.keylogCallback = (line) => appendFileSync(path, `${line}\n`);
  }

  /** Python's `wrap_socket`: an {@link SSLSocket} over a connected Node socket (or any Duplex). */
  // @ts-expect-error core's wrapSocket is a stub typed `(): never` that tells callers to use this adapter.
  override wrapSocket(sock: Duplex, options: WrapSocketOptions = {}): SSLSocket {
    return new SSLSocket(this, sock, options);
  }

  /** @internal A fresh engine on two MemoryBIOs (used by the socket classes). */
  createEngine(options: EngineOptions): {
    sslobj: EngineSSLObject;
    incoming: MemoryBIO;
    outgoing: MemoryBIO;
  } {
    const incoming = new MemoryBIO();
    const outgoing = new MemoryBIO();
    // The engine takes its key-log hook from the context when the connection starts (wrapBio), so a per-connection
    // hook (node:tls's 'keylog' event) is installed for exactly that call.
    const contextKeylog = this.keylogCallback;
    const contextRequestOcsp = this.requestOcsp;
    // node:tls's requestOCSP is per connection: asked for this one only, the shared context unchanged after.
    if (options.requestOcsp === true) this.requestOcsp = true;
    const connectionKeylog = options.keylog;
    if (connectionKeylog !== undefined) {
      this.keylogCallback = (line) => {
        contextKeylog?.(line);
        connectionKeylog(line);
      };
    }
    try {
      const core = this.wrapBio(incoming, outgoing, {
        serverSide: options.serverSide,
        serverHostname: options.serverHostname,
        ...(options.session !== undefined ? { session: options.session as never } : {}),
      });
      // Over a net.Socket the driver sends the outgoing BIO's buffers as they are (MemoryBIO.readChunks, one
      // vectored write): large records may come in parts, without a record buffer the AEAD's output is copied
      // into (issue #9).
      core.connection.chunkedRecords = options.vectoredOutput === true;
      return { sslobj: new EngineObject(core), incoming, outgoing };
    } finally {
      this.keylogCallback = contextKeylog;
      this.requestOcsp = contextRequestOcsp;
    }
  }

  /** @internal Node's verification model: validates a peer chain against this context's trust anchors. */
  verifyPeerChain(chain: readonly Uint8Array[], purpose: 'serverAuth' | 'clientAuth'): void {
    const [leaf, ...intermediates] = chain;
    if (leaf === undefined)
      throw new SSLError('no peer certificate', { library: 'SSL', reason: 'PEER_DID_NOT_RETURN_A_CERTIFICATE' });
    verifyChain({
      leaf,
      intermediates,
      trustAnchors: this.trustStore,
      purpose,
      at: new Date(this.now()),
      flags: this.verifyFlags,
      signatureProvider: this.provider,
      verifiedSignatureCache: this.signatureCache,
      // The engine's own chain memory (x509 chain-cache.ts): a peer met before (the same server on every
      // connection, a resumed session's chain) is not parsed, path-built and checked from scratch per
      // connection; validity periods and every policy input are still checked on each call.
      verifiedChainCache: this.verifiedChainCache,
    });
  }
}

/**
 * Python's `ssl.create_default_context`: SERVER_AUTH gives a client context (CERT_REQUIRED, hostname checks),
 * CLIENT_AUTH a server context. With `cafile`/`capath`/`cadata` those are the trust anchors; otherwise the system
 * store is loaded. `SSLKEYLOGFILE` in the environment turns on the key log, as Python 3.8+.
 */
export function createDefaultContext(
  purpose: Purpose = Purpose.SERVER_AUTH,
  locations: VerifyLocations = {},
  options: SSLContextOptions = {},
): SSLContext {
  const context = new SSLContext(purpose === Purpose.SERVER_AUTH ? PROTOCOL_TLS_CLIENT : PROTOCOL_TLS_SERVER, options);
  if (locations.cafile != null || locations.capath != null || locations.cadata != null) {
    context.loadVerifyLocations(locations);
  } else if (context.verifyMode !== 0) {
    context.loadDefaultCerts(purpose);
  }
  const keylog = process.env.SSLKEYLOGFILE;
  if (keylog) context.keylogFilename = keylog;
  return context;
}

// connect()/createServer() build their contexts with this class.
registerContextFactory(
  (isServer, cryptoProvider) =>
    new SSLContext(isServer ? PROTOCOL_TLS_SERVER : PROTOCOL_TLS_CLIENT, cryptoProvider ? { cryptoProvider } : {}),
);

/**
 * Python's `ssl.get_server_certificate((host, port), ca_certs=None)`: connects, completes a handshake and resolves
 * with the server's certificate as PEM. With `caCerts` (a file path or PEM text) the chain must verify against it
 * (the hostname is not checked, as Python's); without, nothing is verified.
 */
export async function getServerCertificate(
  addr: readonly [host: string, port: number],
  options: { caCerts?: string | null; timeoutMs?: number } = {},
): Promise<string> {
  const [host, port] = addr;
  const context = new SSLContext(PROTOCOL_TLS_CLIENT);
  context.checkHostname = false;
  if (options.caCerts != null) {
    context.verifyMode = CERT_REQUIRED;
    context.loadVerifyLocations(options.caCerts.includes('-----BEGIN') ? { cadata: options.caCerts } : options.caCerts);
  } else {
    context.verifyMode = CERT_NONE;
  }
  const transport = net.connect({ host, port, allowHalfOpen: true });
  try {
    await new Promise<void>((resolve, reject) => {
      transport.once('connect', resolve);
      transport.once('error', reject);
    });
    const sock = context.wrapSocket(transport, {
      serverHostname: net.isIP(host) ? null : host,
      idleTimeoutMs: options.timeoutMs ?? 30_000,
    });
    await sock.doHandshake();
    const der = sock.getPeerCert(true);
    if (der === null)
      throw new SSLError('the server sent no certificate', { library: 'SSL', reason: 'NO_CERTIFICATE' });
    return DER_cert_to_PEM_cert(der);
  } finally {
    transport.destroy();
  }
}
