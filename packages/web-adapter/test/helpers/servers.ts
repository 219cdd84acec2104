/** TLS servers for the tunnel tests: `openssl s_server` and a sanstls server over TCP (acceptTls on Node sockets). */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { acceptTls, type StreamPair } from '@sanstls/web-adapter';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

export interface RunningServer {
  port: number;
  stop(): Promise<void>;
}

/** `openssl s_server -www` on 127.0.0.1; resolves once it accepts. */
export async function opensslServer(args: string[]): Promise<RunningServer> {
  const port = await freePort();
  const child: ChildProcess = spawn('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, '-www', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`s_server did not start: ${output}`)), 10_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      if (output.includes('ACCEPT')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`s_server exited ${code}: ${output}`)));
  });
  return {
    port,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill();
      await exited;
    },
  };
}

/** Node socket → Web stream pair (Duplex.toWeb, Node ≥ 17). */
export function socketStreams(socket: Socket): StreamPair {
  return Duplex.toWeb(socket) as unknown as StreamPair;
}

/** A sanstls TLS server on TCP answering each request like `s_server -www` (a small page, then close). */
export async function sanstlsServer(
  options: Parameters<typeof acceptTls>[1],
  behaviour: { contentLength?: boolean; closeNotify?: boolean } = {},
): Promise<RunningServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    void (async () => {
      const tls = await acceptTls(socketStreams(socket), options);
      const reader = tls.readable.getReader();
      let request = '';
      while (!request.includes('\r\n\r\n')) {
        const { value, done } = await reader.read();
        if (done) return;
        request += new TextDecoder().decode(value);
      }
      reader.releaseLock();
      const page = `<html><body><pre>sanstls server\nProtocol: ${tls.info.protocol}\nCipher: ${tls.info.cipher}\nRequest: ${request.split('\r\n')[0]}\n</pre></body></html>\n`;
      const writer = tls.writable.getWriter();
      const length = behaviour.contentLength === true ? `Content-Length: ${page.length}\r\n` : '';
      await writer.write(
        new TextEncoder().encode(`HTTP/1.0 200 ok\r\nContent-Type: text/html\r\n${length}\r\n${page}`),
      );
      if (behaviour.closeNotify === false) {
        socket.end(); // TCP FIN without close_notify, as many servers do
        return;
      }
      await writer.close();
      await tls.close();
    })().catch(() => socket.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as { port: number }).port,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
