/**
 * The surface of core's SSLObject the socket layers use, spelled out so the adapter states exactly what it relies on.
 * @module
 */
import type { ByteQueue, SuspensionSource } from './driver.js';

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
  readonly session: unknown;
  readonly sessionReused: boolean;
}

/** What a socket needs from a context: a fresh engine on two byte queues. */
export interface EngineContext {
  createEngine(options: { serverSide: boolean; serverHostname: string | null; session?: unknown }): {
    sslobj: EngineSSLObject;
    incoming: ByteQueue;
    outgoing: ByteQueue;
  };
}
