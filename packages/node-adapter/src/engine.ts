/**
 * The surface of core's SSLObject the socket layers use, spelled out so the adapter states exactly what it relies
 * on, and {@link EngineObject}: core's SSLObject plus the two things sockets need beyond Python's API — waiting
 * for a parked handshake (async SNI callback, verifier or signer) and the peer's chain as sent.
 * @module
 */
import { SSLEOFError } from '@sanstls/core';
import type { ByteQueue, SuspensionSource } from './driver.js';

/**
 * The error for a transport that ended inside a record: bytes the peer sent (or claimed to) are missing. Unlike
 * an end at a record boundary without close_notify (a ragged EOF, which Python's suppressRaggedEofs and node:tls
 * treat as the end of the stream), this is never reported as a clean end — unless the context has
 * OP_IGNORE_UNEXPECTED_EOF, which (as OpenSSL's SSL_OP_IGNORE_UNEXPECTED_EOF) takes any end as the end.
 */
export function truncatedRecordError(): SSLEOFError {
  return new SSLEOFError('the peer closed the connection inside a TLS record: the stream was truncated', {
    library: 'SSL',
    reason: 'UNEXPECTED_EOF_WHILE_READING',
  });
}

/** `getPeerCert()`'s dict (Python's shape), or `{}` when the certificate was not validated, or null before it. */
export type PeerCertResult = Record<string, unknown> | null;

export interface EngineSSLObject extends SuspensionSource {
  doHandshake(): void;
  read(n?: number): Uint8Array;
  write(data: Uint8Array): number;
  unwrap(): void;
  pending(): number;
  getPeerCert(binaryForm: true): Uint8Array | null;
  getPeerCert(binaryForm?: false): PeerCertResult;
  cipher(): [string, string, number] | null;
  sharedCiphers(): Array<[string, string, number]> | null;
  version(): string | null;
  selectedAlpnProtocol(): string | null;
  getChannelBinding(cbType?: string): Uint8Array | null;
  /** The certificates the peer sent (DER, leaf first), validated or not; null before they arrived. */
  getUnverifiedChain(): Uint8Array[] | null;
  /** True when the transport ended inside a record (truncation), not at a record boundary. */
  eofInsideRecord(): boolean;
  /**
   * Ends the engine without a word on the wire and wipes its keys (core's `TlsConnection.dispose()`): for a
   * socket whose transport is gone once the reader has what was decrypted. Later operations fail.
   */
  dispose(): void;
  /** Client: the OCSP response the server stapled (RFC 6066 §8) when one was asked for; else null. */
  readonly ocspResponse: Uint8Array | null;
  readonly session: unknown;
  readonly sessionReused: boolean;
}

/** What a socket asks of its context for one connection's engine. */
export interface EngineOptions {
  serverSide: boolean;
  serverHostname: string | null;
  session?: unknown;
  /** Also receives this connection's NSS key-log lines (besides the context's keylogCallback). */
  keylog?: (line: string) => void;
  /** Client: ask for a stapled OCSP response on this connection (node:tls `requestOCSP`; RFC 6066 §8). */
  requestOcsp?: boolean;
  /**
   * The transport sends a corked run of writes as one vectored write (a net.Socket): large records may then be
   * queued in parts (core's TlsConnection.chunkedRecords). Other Duplexes (a WebSocket stream, an outer TLS
   * socket) would see one write — a message, an outer record — per part, so they get whole records.
   */
  vectoredOutput?: boolean;
}

/** What a socket needs from a context: a fresh engine on two byte queues. */
export interface EngineContext {
  createEngine(options: EngineOptions): {
    sslobj: EngineSSLObject;
    incoming: ByteQueue;
    outgoing: ByteQueue;
  };
}

/** Core's SSLObject, structurally (what {@link EngineObject} calls). */
export interface CoreSSLObject {
  doHandshake(): void;
  read(n?: number): Uint8Array;
  write(data: Uint8Array | string): number;
  unwrap(): void;
  pending(): number;
  getPeerCert(binaryForm: true): Uint8Array | null;
  getPeerCert(binaryForm?: false): object | null;
  cipher(): [string, string, number] | null;
  sharedCiphers(): Array<[string, string, number]> | null;
  version(): string | null;
  selectedAlpnProtocol(): string | null;
  getChannelBinding(cbType?: string): Uint8Array | null;
  readonly ocspResponse: Uint8Array | null;
  readonly session: unknown;
  readonly sessionReused: boolean;
  readonly suspensionPoint: string | null;
  onResume: (() => void) | null;
  readonly connection: {
    readonly negotiated: { readonly peerCertificate: { readonly chain: readonly Uint8Array[] } | null };
    readonly eofInsideRecord?: boolean;
    dispose(): void;
  };
}

/** Core's SSLObject with suspension waiting and the unverified peer chain. */
export class EngineObject implements EngineSSLObject {
  private resumed = false;
  private wake: (() => void) | undefined;

  constructor(readonly core: CoreSSLObject) {
    core.onResume = () => {
      this.resumed = true;
      const wake = this.wake;
      this.wake = undefined;
      wake?.();
    };
  }

  pendingSuspension(): PromiseLike<unknown> | undefined {
    // The callback may have settled between the engine's WantRead and this check: retry at once then.
    if (this.resumed) {
      this.resumed = false;
      return Promise.resolve();
    }
    if (this.core.suspensionPoint === null) return undefined;
    return new Promise<void>((resolve) => {
      this.wake = () => {
        this.resumed = false;
        resolve();
      };
    });
  }

  getUnverifiedChain(): Uint8Array[] | null {
    const peer = this.core.connection.negotiated.peerCertificate;
    return peer === null ? null : [...peer.chain];
  }

  eofInsideRecord(): boolean {
    return this.core.connection.eofInsideRecord === true;
  }

  dispose(): void {
    this.core.connection.dispose();
  }

  doHandshake(): void {
    this.core.doHandshake();
  }
  read(n?: number): Uint8Array {
    return this.core.read(n);
  }
  write(data: Uint8Array): number {
    return this.core.write(data);
  }
  unwrap(): void {
    this.core.unwrap();
  }
  pending(): number {
    return this.core.pending();
  }
  getPeerCert(binaryForm: true): Uint8Array | null;
  getPeerCert(binaryForm?: false): PeerCertResult;
  getPeerCert(binaryForm = false): PeerCertResult | Uint8Array | null {
    return binaryForm ? this.core.getPeerCert(true) : (this.core.getPeerCert(false) as PeerCertResult);
  }
  cipher(): [string, string, number] | null {
    return this.core.cipher();
  }
  sharedCiphers(): Array<[string, string, number]> | null {
    return this.core.sharedCiphers();
  }
  version(): string | null {
    return this.core.version();
  }
  selectedAlpnProtocol(): string | null {
    return this.core.selectedAlpnProtocol();
  }
  getChannelBinding(cbType?: string): Uint8Array | null {
    return this.core.getChannelBinding(cbType);
  }
  get ocspResponse(): Uint8Array | null {
    return this.core.ocspResponse;
  }
  get session(): unknown {
    return this.core.session;
  }
  get sessionReused(): boolean {
    return this.core.sessionReused;
  }
}
