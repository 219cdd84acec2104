// Runs inside a private network namespace (`unshare -rn node netns-bridge.mjs SOCKET PORT -- peer args…`):
// brings loopback up, starts the peer (e.g. gnutls-serv, which binds every address and so must not run in the
// host's namespace), and relays every connection made to the Unix socket SOCKET — a file, so reachable from the
// host namespace — to 127.0.0.1:PORT inside this namespace. Half-closes and resets are passed on.
// It exits, killing the peer, when its stdin closes (the test process ended) or when the peer exits.
import { execFileSync, spawn } from 'node:child_process';
import net from 'node:net';

const [socketPath, portText, separator, ...command] = process.argv.slice(2);
if (!socketPath || !portText || separator !== '--' || command.length === 0) {
  console.error('usage: netns-bridge.mjs SOCKET PORT -- command args…');
  process.exit(2);
}
const port = Number(portText);
execFileSync('ip', ['link', 'set', 'lo', 'up']);

const peer = spawn(command[0], command.slice(1), { stdio: ['pipe', 'inherit', 'inherit'] });
peer.on('exit', (code, signal) => {
  console.log(`BRIDGE PEER EXITED ${code ?? signal}`);
  process.exit(1);
});
peer.stdin.on('error', () => {});

const shutdown = () => {
  peer.kill('SIGKILL');
  process.exit(0);
};
process.stdin.on('end', shutdown);
process.stdin.on('error', shutdown);
process.stdin.resume();
process.on('SIGTERM', shutdown);

const relay = net.createServer({ allowHalfOpen: true }, (outer) => {
  const inner = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
  outer.pipe(inner);
  inner.pipe(outer);
  inner.on('error', () => outer.resetAndDestroy());
  outer.on('error', () => inner.resetAndDestroy());
});
relay.listen(socketPath, () => console.log('BRIDGE READY'));
