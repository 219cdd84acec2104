#!/usr/bin/env node
// Serves the example page and the browser bundle, with the relay at /tunnel.
//   node packages/web-adapter/examples/serve.mjs --allow example.com:443,127.0.0.1:8443 [--port 8080]
// Then open http://127.0.0.1:8080/examples/ . Build first: pnpm build && node scripts/build-browser-bundle.mjs
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRelay } from '@sanstls/web-adapter/relay';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.map': 'application/json',
  '.json': 'application/json',
};

/** Static files under examples/ and dist/browser/ of this package, plus the relay on /tunnel. */
export async function startExampleServer({ allow, port = 0, host = '127.0.0.1', onEvent } = {}) {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const relative =
      path === '/' || path === '/examples'
        ? 'examples/index.html'
        : path.replace(/^\/+/, '').replace(/\/$/, '/index.html');
    const file = normalize(join(packageRoot, relative));
    const allowed = ['examples', join('dist', 'browser')].some((dir) => file.startsWith(join(packageRoot, dir) + sep));
    if (!allowed) {
      res.writeHead(404).end('not found\n');
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, {
        'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
        'Cache-Control': 'no-store',
      });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found\n');
    }
  });
  await new Promise((resolve) => server.listen(port, host, resolve));
  const relay = await startRelay({ server, path: '/tunnel', allow, onEvent });
  const address = server.address();
  return {
    url: `http://${host}:${address.port}/examples/`,
    relayUrl: `ws://${host}:${address.port}/tunnel`,
    close: async () => {
      await relay.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : fallback;
  };
  const allow = arg('--allow', '').split(',').filter(Boolean);
  if (allow.length === 0) console.log('no --allow host:port given: the relay will refuse every target');
  const running = await startExampleServer({
    allow,
    port: Number(arg('--port', '8080')),
    onEvent: (e) => console.log('relay', JSON.stringify(e)),
  });
  console.log(`example page: ${running.url}  (relay ${running.relayUrl}, allowed: ${allow.join(' ') || 'none'})`);
}
