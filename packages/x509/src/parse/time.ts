/**
 * Python's `ssl.cert_time_to_seconds`.
 * @module
 */
import { X509ParseError } from '../errors.js';
import { dateToEpochMs } from './name.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * The `time.strptime` pattern CPython uses after the month, `' %d %H:%M:%S %Y GMT'`: each run of
 * format whitespace matches one or more whitespace characters, the directives accept what `_strptime`'s
 * regexes accept (`%d` also ` 5`, `%H`/`%M`/`%S` single digits, `%S` up to 61) and matching ignores case.
 */
const REST =
  /^\s+(3[01]|[12]\d|0[1-9]|[1-9]| [1-9])\s+(2[0-3]|[0-1]\d|\d):([0-5]\d|\d):(6[0-1]|[0-5]\d|\d)\s+(\d\d\d\d)\s+GMT$/i;

/**
 * Seconds since the epoch for a certificate time string such as `"Jan  5 09:34:43 2018 GMT"` (the
 * `notBefore`/`notAfter` format of {@link decodeCertificate}), with Python's `cert_time_to_seconds`
 * semantics: the month is the first three characters in any case; like `calendar.timegm`, a day past the
 * month's end rolls into the next month. Bad input raises an {@link X509ParseError} (Python: ValueError).
 */
export function certTimeToSeconds(certTime: string): number {
  const head = certTime.slice(0, 3);
  const month = MONTHS.indexOf(head.charAt(0).toUpperCase() + head.slice(1).toLowerCase()) + 1;
  if (month === 0) {
    throw new X509ParseError(`time data ${JSON.stringify(certTime)} does not match format "%b %d %H:%M:%S %Y GMT"`, {
      library: 'X509',
      reason: 'BAD_TIME',
    });
  }
  const m = REST.exec(certTime.slice(3));
  const year = m === null ? 0 : Number(m[5]);
  // strptime rejects year 0 when it builds its date (datetime's MINYEAR is 1).
  if (m === null || year < 1) {
    throw new X509ParseError(
      `time data ${JSON.stringify(certTime.slice(3))} does not match format " %d %H:%M:%S %Y GMT"`,
      {
        library: 'X509',
        reason: 'BAD_TIME',
      },
    );
  }
  const [day, hour, minute, second] = [m[1], m[2], m[3], m[4]].map((v) => Number(v)) as [
    number,
    number,
    number,
    number,
  ];
  return dateToEpochMs(year, month, 1, hour, minute, second) / 1000 + (day - 1) * 86400;
}
