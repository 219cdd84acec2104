import {
  CertificateError,
  CertificateVerificationError,
  SSL_ERROR_EOF,
  SSL_ERROR_WANT_READ,
  SSLCertVerificationError,
  SSLEOFError,
  SSLError,
  SSLWantReadError,
  SSLWantWriteError,
} from '@sanstls/x509';
import { describe, expect, it } from 'vitest';

describe('the SSLError family', () => {
  it('formats messages as Python does and keeps library/reason/errno', () => {
    const e = new SSLError('wrong version number', { library: 'SSL', reason: 'WRONG_VERSION_NUMBER' });
    expect(e.message).toBe('[SSL: WRONG_VERSION_NUMBER] wrong version number');
    expect(e.library).toBe('SSL');
    expect(e.reason).toBe('WRONG_VERSION_NUMBER');
    expect(e.errno).toBe(1);
    expect(e.name).toBe('SSLError');
  });

  it('gives each subclass its SSL_ERROR_* number', () => {
    expect(new SSLWantReadError().errno).toBe(SSL_ERROR_WANT_READ);
    expect(new SSLEOFError().errno).toBe(SSL_ERROR_EOF);
    expect(new SSLWantReadError()).toBeInstanceOf(SSLError);
  });

  it('builds the flow-control errors without a stack trace and leaves Error.stackTraceLimit as it was', () => {
    const before = Error.stackTraceLimit;
    const read = new SSLWantReadError();
    const write = new SSLWantWriteError();
    expect(Error.stackTraceLimit).toBe(before);
    // The first line only: name and message, no "    at …" frames.
    expect(read.stack?.split('\n')).toHaveLength(1);
    expect(read.stack).toContain('SSLWantReadError');
    expect(write.stack?.split('\n')).toHaveLength(1);
    expect(read.message).toBe('The operation did not complete (read)');
    expect(read).toBeInstanceOf(SSLError);
    // Real failures keep their stack.
    expect(new SSLError('boom').stack?.split('\n').length).toBeGreaterThan(1);
  });

  it('makes CertificateError an alias of SSLCertVerificationError', () => {
    expect(CertificateError).toBe(SSLCertVerificationError);
    expect(CertificateVerificationError).toBe(SSLCertVerificationError);
    const e = new SSLCertVerificationError(10, 'certificate has expired');
    expect(e.verifyCode).toBe(10);
    expect(e.reason).toBe('CERTIFICATE_VERIFY_FAILED');
    expect(e.message).toBe('[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate has expired');
  });
});
