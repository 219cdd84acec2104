/**
 * The option tables of `s_server` and `s_client` (OpenSSL's spelling). Flags whose feature a later issue builds
 * are declared `unsupported`, so they fail at once with exit status 2 instead of being ignored.
 * @module
 */
import type { OptionTable } from './args.js';

const later = (what: string): string => `${what} is not built yet in sanstls`;

/** Options both commands share. */
const common: OptionTable = {
  help: { kind: 'flag', help: 'Display this summary' },
  CAfile: { kind: 'string', arg: 'file', help: 'Trusted certificates (PEM) for verifying the peer' },
  CApath: { kind: 'string', arg: 'dir', help: 'Trusted certificates directory (OpenSSL hashed form)' },
  cert: { kind: 'string', arg: 'file', help: 'Certificate (chain) file, PEM' },
  key: { kind: 'string', arg: 'file', help: 'Private key file, PEM (default: the -cert file)' },
  pass: { kind: 'string', arg: 'arg', help: 'Private key password source (pass:TEXT, env:VAR, file:PATH)' },
  tls1_3: { kind: 'flag', help: 'Just use TLSv1.3' },
  tls1_2: { kind: 'flag', help: 'Just use TLSv1.2' },
  no_tls1_3: { kind: 'flag', help: 'Do not use TLSv1.3' },
  no_tls1_2: { kind: 'flag', help: 'Do not use TLSv1.2' },
  tls1: { kind: 'flag', help: 'Just use TLSv1', unsupported: 'TLS 1.0 is not implemented (RFC 8996)' },
  tls1_1: { kind: 'flag', help: 'Just use TLSv1.1', unsupported: 'TLS 1.1 is not implemented (RFC 8996)' },
  alpn: { kind: 'string', arg: 'list', help: 'ALPN protocols, comma-separated' },
  groups: { kind: 'string', arg: 'list', help: 'Key exchange groups, colon-separated, in preference order' },
  curves: { kind: 'string', arg: 'list', help: 'Alias of -groups' },
  ciphersuites: { kind: 'string', arg: 'list', help: 'TLSv1.3 cipher suites, colon-separated' },
  cipher: { kind: 'string', arg: 'list', help: 'TLSv1.2 cipher list (OpenSSL names)' },
  sigalgs: {
    kind: 'string',
    arg: 'list',
    help: 'Signature algorithms',
    unsupported: later('choosing signature algorithms'),
  },
  keylogfile: { kind: 'string', arg: 'file', help: 'Append TLS secrets to this file (NSS key log format)' },
  quiet: { kind: 'flag', help: 'No session information, just data' },
  state: { kind: 'flag', help: 'Print handshake states' },
  msg: { kind: 'flag', help: 'Show protocol messages', unsupported: later('-msg tracing') },
  debug: { kind: 'flag', help: 'Print extensive debugging information', unsupported: later('-debug tracing') },
  nbio: { kind: 'flag', help: 'Non-blocking I/O (always the case here)' },
  crlf: { kind: 'flag', help: 'Convert LF from the terminal into CRLF' },
  verify_return_error: { kind: 'flag', help: 'Abort the handshake when verification fails' },
  ign_eof: { kind: 'flag', help: 'Ignore input EOF' },
  no_ign_eof: { kind: 'flag', help: 'Do not ignore input EOF' },
};

export const serverOptions: OptionTable = {
  ...common,
  accept: { kind: 'string', arg: '[host:]port', help: 'Listen address (default host 127.0.0.1, port 4433)' },
  port: { kind: 'string', arg: 'port', help: 'Alias of -accept' },
  '4': { kind: 'flag', help: 'Listen on IPv4 only (the default)' },
  '6': { kind: 'flag', help: 'Listen on IPv6 (::1 unless a host is given)' },
  verify: { kind: 'int', arg: 'depth', help: 'Ask for a client certificate' },
  Verify: { kind: 'int', arg: 'depth', help: 'Require a client certificate' },
  www: { kind: 'flag', help: 'Answer an HTTP GET with a page describing the session, then close' },
  WWW: { kind: 'flag', help: 'Serve files', unsupported: later('file serving (-WWW)') },
  HTTP: { kind: 'flag', help: 'Serve files', unsupported: later('file serving (-HTTP)') },
  rev: { kind: 'flag', help: 'Echo each line reversed' },
  naccept: { kind: 'int', arg: 'n', help: 'Exit after this many connections' },
  no_ticket: { kind: 'flag', help: 'Do not send session tickets' },
  num_tickets: { kind: 'int', arg: 'n', help: 'Number of TLS 1.3 session tickets (default 2)' },
  early_data: { kind: 'flag', help: 'Accept 0-RTT data (up to -max_early_data, default 16384 bytes)' },
  max_early_data: { kind: 'int', arg: 'n', help: 'Most 0-RTT bytes accepted with -early_data (default 16384)' },
  idle_timeout: { kind: 'int', arg: 'ms', help: 'Drop a connection idle this long (default 30000)' },
  handshake_timeout: { kind: 'int', arg: 'ms', help: 'Drop a connection whose handshake takes longer (default 10000)' },
  servername: {
    kind: 'string',
    arg: 'name',
    help: 'SNI name for -cert2',
    unsupported: later('a second certificate by SNI (-cert2)'),
  },
  dhparam: { kind: 'string', arg: 'file', help: 'DH parameters', unsupported: 'sanstls uses the RFC 7919 groups only' },
  status_file: { kind: 'string', arg: 'file', help: 'Staple this DER OCSP response when a client asks (RFC 6066 §8)' },
  status: {
    kind: 'flag',
    help: 'Fetch an OCSP response to staple from the responder',
    unsupported: 'querying an OCSP responder is not built in sanstls: staple a fetched response with -status_file',
  },
};

export const clientOptions: OptionTable = {
  ...common,
  connect: { kind: 'string', arg: 'host:port', help: 'Server to connect to (default localhost:4433)' },
  host: { kind: 'string', arg: 'host', help: 'Host to connect to' },
  port: { kind: 'int', arg: 'port', help: 'Port to connect to' },
  '4': { kind: 'flag', help: 'Use IPv4 only' },
  '6': { kind: 'flag', help: 'Use IPv6 only' },
  servername: { kind: 'string', arg: 'name', help: 'Server name to send (SNI); default: the -connect host' },
  noservername: { kind: 'flag', help: 'Do not send SNI' },
  verify: { kind: 'int', arg: 'depth', help: 'Verification depth (the chain is always verified)' },
  verify_hostname: { kind: 'string', arg: 'name', help: 'Check the certificate for this name (default: -servername)' },
  verify_ip: { kind: 'string', arg: 'ip', help: 'Check the certificate for this IP address' },
  nocommands: { kind: 'flag', help: 'Do not treat lines starting with Q, R or K as commands' },
  showcerts: { kind: 'flag', help: 'Print the peer chain (PEM)' },
  brief: { kind: 'flag', help: 'Only the connection summary' },
  sess_out: { kind: 'string', arg: 'file', help: 'Save the session when the connection ends (sanstls format)' },
  sess_in: { kind: 'string', arg: 'file', help: 'Resume the session saved with -sess_out' },
  reconnect: {
    kind: 'flag',
    help: 'Reconnect with the same session',
    unsupported: later('session resumption (issue #7)'),
  },
  early_data: { kind: 'string', arg: 'file', help: 'Send the file as 0-RTT data (needs -sess_in)' },
  starttls: { kind: 'string', arg: 'proto', help: 'STARTTLS', unsupported: later('STARTTLS') },
  ocsp: { kind: 'flag', help: 'Request OCSP stapling', unsupported: later('OCSP stapling') },
  status: { kind: 'flag', help: 'Request a stapled OCSP response and print it (RFC 6066 §8)' },
  timeout: { kind: 'int', arg: 'ms', help: 'Give up when the handshake takes longer (default 30000)' },
};
