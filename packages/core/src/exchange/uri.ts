/** Parsing and normalising exchange URIs: `file:///abs/path`, a bare absolute path, `gs://bucket[/prefix]`. */
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { InputError } from '../errors.js';
import { keyProblem } from './keys.js';

export type ExchangeLocation =
  | { scheme: 'file'; root: string; uri: string }
  | { scheme: 'gs'; bucket: string; prefix: string; uri: string };

const SUPPORTED = 'Supported: file:///absolute/path (or an absolute path) and gs://bucket[/prefix].';

function bad(message: string): InputError {
  return new InputError('exchange', `${message} ${SUPPORTED}`);
}

/** Why `name` breaks the GCS bucket naming rules, or undefined when it does not. */
export function bucketNameProblem(name: string): string | undefined {
  if (!/^[a-z0-9][a-z0-9._-]*[a-z0-9]$/.test(name)) {
    return 'bucket names use lowercase letters, digits, -, _ and ., and start and end with a letter or digit';
  }
  const max = name.includes('.') ? 222 : 63;
  if (name.length < 3 || name.length > max) return `bucket names are 3-${max} characters long`;
  if (name.split('.').some((part) => part.length === 0 || part.length > 63)) {
    return 'each dot-separated part of a bucket name is 1-63 characters long';
  }
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return 'bucket names cannot be IP addresses';
  if (name.startsWith('goog') || name.includes('google') || name.includes('g00gle')) {
    return "bucket names cannot start with 'goog' or contain 'google'";
  }
  return undefined;
}

export function parseExchangeUri(input: string): ExchangeLocation {
  if (typeof input !== 'string' || input.trim() === '') throw bad('is empty.');
  const raw = input.trim();

  if (raw.startsWith('gs://')) {
    const rest = raw.slice('gs://'.length);
    const slash = rest.indexOf('/');
    const bucket = slash < 0 ? rest : rest.slice(0, slash);
    let prefix = slash < 0 ? '' : rest.slice(slash + 1);
    while (prefix.endsWith('/')) prefix = prefix.slice(0, -1);
    if (bucket === '') throw bad(`'${raw}' has no bucket name.`);
    const bucketProblem = bucketNameProblem(bucket);
    if (bucketProblem) throw bad(`'${raw}': '${bucket}' is not a valid bucket name (${bucketProblem}).`);
    if (prefix !== '') {
      const problem = keyProblem(prefix);
      if (problem) throw bad(`'${raw}': the prefix after the bucket ${problem}.`);
    }
    return { scheme: 'gs', bucket, prefix, uri: prefix ? `gs://${bucket}/${prefix}` : `gs://${bucket}` };
  }

  let path: string;
  if (/^file:/i.test(raw)) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw bad(`'${raw}' is not a valid file URI.`);
    }
    if (url.host !== '' && url.host !== 'localhost') {
      throw bad(`'${raw}' names a remote host; file URIs look like file:///absolute/path.`);
    }
    if (url.search || url.hash) throw bad(`'${raw}' has a query or fragment.`);
    try {
      path = fileURLToPath(url);
    } catch (e) {
      throw bad(`'${raw}' is not a valid file URI (${(e as Error).message}).`);
    }
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    throw bad(`'${raw}' uses an unsupported scheme '${raw.slice(0, raw.indexOf(':'))}'.`);
  } else if (isAbsolute(raw)) {
    path = raw;
  } else {
    throw bad(`'${raw}' is a relative path.`);
  }
  if (path.includes('\0')) throw bad(`'${raw}' contains a NUL character.`);
  const root = resolve(path);
  return { scheme: 'file', root, uri: pathToFileURL(root).href };
}
