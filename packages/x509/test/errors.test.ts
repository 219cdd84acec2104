import { describe, expect, it } from 'vitest';
import {
  CertificateError,
  CertificateVerificationError,
  SSL_ERROR_EOF,
  SSL_ERROR_WANT_READ,
  SSLCertVerificationError,
  SSLEOFError,
  SSLError,
  SSLWantReadError,
} from '@sanstls/x509';

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

  it('makes CertificateError an alias of SSLCertVerificationError', () => {
    expect(CertificateError).toBe(SSLCertVerificationError);
    expect(CertificateVerificationError).toBe(SSLCertVerificationError);
    const e = new SSLCertVerificationError(10, 'certificate has expired');
    expect(e.verifyCode).toBe(10);
    expect(e.reason).toBe('CERTIFICATE_VERIFY_FAILED');
    expect(e.message).toBe('[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate has expired');
  });
});
