/**
 * Where the system's trust store lives: Python's `ssl.get_default_verify_paths()`, with the locations a
 * statically configured OpenSSL would have compiled in replaced by a probe of the usual places per platform.
 * @module
 */
import { statSync } from 'node:fs';

/** Python's `ssl.DefaultVerifyPaths` (field names kept). `null` stands for Python's `None`. */
export interface DefaultVerifyPaths {
  /** `SSL_CERT_FILE` or `openssl_cafile`, when that is an existing file; else null. */
  readonly cafile: string | null;
  /** `SSL_CERT_DIR` or `openssl_capath`, when that is an existing directory; else null. */
  readonly capath: string | null;
  readonly openssl_cafile_env: 'SSL_CERT_FILE';
  /** The platform's CA bundle (the first of {@link systemCaFiles} that exists). */
  readonly openssl_cafile: string;
  readonly openssl_capath_env: 'SSL_CERT_DIR';
  /** The platform's hashed certificate directory (the first of {@link systemCaDirs} that exists). */
  readonly openssl_capath: string;
}

/** CA bundles, most common first. */
export const systemCaFiles: readonly string[] = [
  '/etc/ssl/certs/ca-certificates.crt', // Debian, Ubuntu, Arch, Gentoo, Alpine (update-ca-certificates)
  '/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem', // Red Hat, Fedora, CentOS (update-ca-trust)
  '/etc/pki/tls/certs/ca-bundle.crt', // older Red Hat / Fedora
  '/etc/ssl/ca-bundle.pem', // openSUSE, SLES
  '/etc/ssl/cert.pem', // Alpine, macOS, OpenBSD
  '/opt/homebrew/etc/openssl@3/cert.pem', // macOS, Homebrew on Apple silicon
  '/usr/local/etc/openssl@3/cert.pem', // macOS, Homebrew on Intel
  '/usr/local/share/certs/ca-root-nss.crt', // FreeBSD
];

/** Hashed certificate directories, most common first. */
export const systemCaDirs: readonly string[] = [
  '/etc/ssl/certs', // Debian, Ubuntu, Alpine, openSUSE, Arch
  '/etc/pki/tls/certs', // Red Hat, Fedora
  '/system/etc/security/cacerts', // Android
];

/** How paths are probed; replaceable in tests. */
export interface PathProbe {
  isFile(path: string): boolean;
  isDirectory(path: string): boolean;
}

export const fileSystemProbe: PathProbe = {
  isFile: (path) => {
    try {
      return statSync(path).isFile();
    } catch {
      return false;
    }
  },
  isDirectory: (path) => {
    try {
      return statSync(path).isDirectory();
    } catch {
      return false;
    }
  },
};

/**
 * Python's `ssl.get_default_verify_paths()`: `SSL_CERT_FILE` / `SSL_CERT_DIR` win when set (even when they point
 * nowhere: then the field is null, as in Python); otherwise the platform's locations.
 */
export function getDefaultVerifyPaths(
  env: Readonly<Record<string, string | undefined>> = process.env,
  probe: PathProbe = fileSystemProbe,
  platform: NodeJS.Platform = process.platform,
): DefaultVerifyPaths {
  const fallbackFile = platform === 'darwin' ? '/etc/ssl/cert.pem' : (systemCaFiles[0] as string);
  const fallbackDir = systemCaDirs[0] as string;
  const opensslCafile = systemCaFiles.find((p) => probe.isFile(p)) ?? fallbackFile;
  const opensslCapath = systemCaDirs.find((p) => probe.isDirectory(p)) ?? fallbackDir;
  const cafile = env.SSL_CERT_FILE || opensslCafile;
  const capath = env.SSL_CERT_DIR || opensslCapath;
  return {
    cafile: probe.isFile(cafile) ? cafile : null,
    capath: probe.isDirectory(capath) ? capath : null,
    openssl_cafile_env: 'SSL_CERT_FILE',
    openssl_cafile: opensslCafile,
    openssl_capath_env: 'SSL_CERT_DIR',
    openssl_capath: opensslCapath,
  };
}
