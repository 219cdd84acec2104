/**
 * A minimal HTTP/1.1 client over a TLS stream (the example page and tests): one request with
 * `Connection: close`, the response read to the end of the stream, chunked transfer coding undone
 * (RFC 9112 §7.1). A server that closes without close_notify is accepted only when the response is
 * length-delimited (Content-Length or chunked), so truncation cannot go unnoticed. Not a general HTTP stack: no keep-alive, redirects or compression.
 * @module
 */
import { SSLEOFError, SSLError } from '@sanstls/core/client-base';
import type { StreamPair } from './stream-pair.js';

export interface HttpRequest {
  readonly method?: string;
  /** The Host header (the server's name, with `:port` when not 443). */
  readonly host: string;
  readonly path?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Uint8Array | string;
  /** Largest response accepted (default 8 MiB). */
  readonly maxResponseBytes?: number;
}

export interface HttpResponse {
  /** `HTTP/1.1` or `HTTP/1.0`. */
  readonly version: string;
  readonly status: number;
  readonly statusText: string;
  /** Header names in lower case; repeated headers joined with `, `. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
  text(): string;
}

function httpError(text: string): SSLError {
  return new SSLError(text, { library: 'HTTP', reason: 'BAD_RESPONSE' });
}

function concat(parts: readonly Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function indexOfCrlfCrlf(bytes: Uint8Array): number {
  for (let i = 0; i + 3 < bytes.length; i++) {
    if (bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) return i;
  }
  return -1;
}

/** RFC 9112 §7.1: chunk-size [ext] CRLF data CRLF … 0 CRLF [trailers] CRLF. */
function dechunk(body: Uint8Array): Uint8Array {
  const out: Uint8Array[] = [];
  let length = 0;
  let at = 0;
  const latin1 = new TextDecoder('latin1');
  for (;;) {
    let eol = -1;
    for (let i = at; i + 1 < body.length; i++) {
      if (body[i] === 13 && body[i + 1] === 10) {
        eol = i;
        break;
      }
    }
    if (eol < 0) throw httpError('truncated chunked body');
    const sizeText = latin1.decode(body.subarray(at, eol)).split(';')[0]!.trim();
    if (!/^[0-9a-fA-F]{1,8}$/.test(sizeText)) throw httpError('bad chunk size');
    const size = Number.parseInt(sizeText, 16);
    at = eol + 2;
    if (size === 0) return concat(out, length);
    if (at + size + 2 > body.length) throw httpError('truncated chunk');
    out.push(body.subarray(at, at + size));
    length += size;
    at += size + 2;
  }
}

/**
 * Sends one request over `tls` and reads the whole response (the server closes after it); a TlsStream is
 * then closed (close_notify).
 */
export async function httpRequest(tls: StreamPair, request: HttpRequest): Promise<HttpResponse> {
  const encoder = new TextEncoder();
  const body = typeof request.body === 'string' ? encoder.encode(request.body) : request.body;
  const headers: Record<string, string> = {
    Host: request.host,
    'User-Agent': 'sanstls-web',
    Accept: '*/*',
    Connection: 'close',
    ...(body === undefined ? {} : { 'Content-Length': String(body.length) }),
    ...request.headers,
  };
  for (const [k, v] of Object.entries(headers)) {
    if (/[\r\n]/.test(k) || /[\r\n]/.test(v)) throw httpError('header names and values cannot hold CR or LF');
  }
  const path = request.path ?? '/';
  if (!path.startsWith('/') || /[\s]/.test(path)) throw httpError(`bad request path '${path}'`);
  const head = `${request.method ?? 'GET'} ${path} HTTP/1.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
  const writer = tls.writable.getWriter();
  await writer.write(encoder.encode(head));
  if (body !== undefined && body.length > 0) await writer.write(body);
  writer.releaseLock();

  const max = request.maxResponseBytes ?? 8 * 1024 * 1024;
  const parts: Uint8Array[] = [];
  let length = 0;
  const reader = tls.readable.getReader();
  let truncation: SSLEOFError | null = null;
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (e) {
        // Many servers close TCP without close_notify. A length-delimited response (Content-Length or a
        // complete chunked body) cannot be cut short unnoticed, so it is accepted; anything else is not.
        if (!(e instanceof SSLEOFError)) throw e;
        truncation = e;
        break;
      }
      const { value, done } = chunk;
      if (done) break;
      length += value.length;
      if (length > max) throw httpError(`response larger than ${max} bytes`);
      parts.push(value);
    }
  } finally {
    reader.releaseLock();
    // Our side is done as well: a TlsStream sends close_notify and releases the transport.
    const closable = tls as StreamPair & { close?: () => Promise<void> };
    if (typeof closable.close === 'function') await closable.close();
  }
  const all = concat(parts, length);
  const end = indexOfCrlfCrlf(all);
  if (end < 0) throw truncation ?? httpError('no complete response header');
  const lines = new TextDecoder('latin1').decode(all.subarray(0, end)).split('\r\n');
  const status = /^(HTTP\/1\.[01]) (\d{3})(?: (.*))?$/.exec(lines[0]!);
  if (status === null) throw httpError(`bad status line '${lines[0]!.slice(0, 80)}'`);
  const responseHeaders: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw httpError('bad header line');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    responseHeaders[name] = name in responseHeaders ? `${responseHeaders[name]}, ${value}` : value;
  }
  let responseBody = all.subarray(end + 4);
  const chunked = /\bchunked\b/i.test(responseHeaders['transfer-encoding'] ?? '');
  if (truncation !== null && !chunked && responseHeaders['content-length'] === undefined) throw truncation;
  if (chunked) responseBody = dechunk(responseBody);
  else if (responseHeaders['content-length'] !== undefined) {
    const declared = Number(responseHeaders['content-length']);
    if (!Number.isSafeInteger(declared) || declared < 0 || declared > responseBody.length) {
      throw httpError('body shorter than its Content-Length');
    }
    responseBody = responseBody.subarray(0, declared);
  }
  return {
    version: status[1]!,
    status: Number(status[2]),
    statusText: status[3] ?? '',
    headers: responseHeaders,
    body: responseBody,
    text: () => new TextDecoder().decode(responseBody),
  };
}
