/**
 * A runtime smoke run of @sanstls/web-adapter, Web APIs only, bundled by runtimes.test.ts and executed by Node,
 * Bun, Deno and workerd (Cloudflare's Workers runtime): TLS 1.3 and TLS 1.2 between connectTls and acceptTls over
 * an in-memory stream pair (with the WebCrypto-assisted chain check where `crypto.subtle` exists), a certificate
 * error, an HTTPS GET to `openssl s_server` over the runtime's own socket as a Web Streams pair, and the same GET
 * through the WebSocket relay with the runtime's own `WebSocket` (websocketTransport).
 */
import {
  acceptTls,
  connectTls,
  httpRequest,
  memoryStreamPair,
  relayUrl,
  SSLCertVerificationError,
  type StreamPair,
  TLSVersion,
  websocketTransport,
} from '@sanstls/web-adapter';

export interface SmokeInput {
  readonly caPem: string;
  readonly ec: { readonly chainPem: string; readonly keyPem: string };
  readonly untrusted: { readonly chainPem: string; readonly keyPem: string };
}

export interface SmokeSession {
  readonly protocol: string;
  readonly cipher: string;
  readonly peer: string | null;
  readonly webCryptoVerified: boolean;
  readonly echoed: string;
}

export interface SmokeResult {
  readonly tls13: SmokeSession;
  readonly tls12: SmokeSession;
  readonly certificateError: { readonly isCertVerificationError: boolean; readonly verifyCode: number | null };
  /** Present when a socket was given: the status line and protocol of a GET through it. */
  readonly socket?: HttpsOutcome;
  /** Present when a relay was given: the same GET through the WebSocket tunnel. */
  readonly tunnel?: HttpsOutcome;
}

export interface HttpsOutcome {
  readonly status: number;
  readonly protocol: string;
  readonly cipherInPage: boolean;
}

/** Where the openssl server is, directly and through the relay. */
export interface SmokeTargets {
  readonly socket?: () => Promise<StreamPair>;
  readonly relay?: { readonly url: string; readonly port: number };
}

async function httpsGet(input: SmokeInput, transport: StreamPair): Promise<HttpsOutcome> {
  const tls = await connectTls(transport, { serverHostname: 'localhost', trustAnchors: input.caPem });
  const response = await httpRequest(tls, { host: 'localhost', path: '/' });
  return {
    status: response.status,
    protocol: tls.info.protocol,
    // s_server -www describes the session it negotiated: the same cipher as ours.
    cipherInPage: new TextDecoder().decode(response.body).includes(`Cipher    : ${tls.info.cipher}`),
  };
}

async function session(input: SmokeInput, version: TLSVersion): Promise<SmokeSession> {
  const only = { minimumVersion: version, maximumVersion: version };
  const [a, b] = memoryStreamPair();
  const serving = acceptTls(b, { ...only, certChain: { cert: input.ec.chainPem, key: input.ec.keyPem } });
  const client = await connectTls(a, { ...only, serverHostname: 'localhost', trustAnchors: input.caPem });
  const server = await serving;
  const writer = client.writable.getWriter();
  await writer.write(new TextEncoder().encode('ping'));
  await writer.close();
  // A reader loop rather than `for await`: not every runtime's ReadableStream is async-iterable.
  let echoed = '';
  const reader = server.readable.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) echoed += new TextDecoder().decode(r.value);
  await server.close();
  const subject = (client.info.peerCertificate as { subject?: [string, string][][] } | null)?.subject;
  return {
    protocol: client.info.protocol,
    cipher: client.info.cipher,
    peer: subject?.[0]?.[0]?.[1] ?? null,
    webCryptoVerified: client.info.webCryptoVerified,
    echoed,
  };
}

export async function runSmoke(input: SmokeInput, targets: SmokeTargets = {}): Promise<SmokeResult> {
  const tls13 = await session(input, TLSVersion.TLSv1_3);
  const tls12 = await session(input, TLSVersion.TLSv1_2);

  const [a, b] = memoryStreamPair();
  const serving = acceptTls(b, { certChain: { cert: input.untrusted.chainPem, key: input.untrusted.keyPem } });
  serving.catch(() => {}); // the server sees our alert
  const failure = await connectTls(a, { serverHostname: 'localhost', trustAnchors: input.caPem }).then(
    () => null,
    (e: unknown) => e,
  );
  const certificateError = {
    isCertVerificationError: failure instanceof SSLCertVerificationError,
    verifyCode: failure instanceof SSLCertVerificationError ? failure.verifyCode : null,
  };

  const result: { -readonly [K in keyof SmokeResult]: SmokeResult[K] } = { tls13, tls12, certificateError };
  if (targets.socket !== undefined) result.socket = await httpsGet(input, await targets.socket());
  if (targets.relay !== undefined) {
    const url = relayUrl(targets.relay.url, '127.0.0.1', targets.relay.port);
    result.tunnel = await httpsGet(input, await websocketTransport(url));
  }
  return result;
}
