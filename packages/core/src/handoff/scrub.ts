/**
 * One line from an artifact service or blob store error message, safe to print: the first
 * non-empty line (a service message may run on), URLs without their query string or
 * fragment (a signed blob URL's SAS is its query), any stray `sig=` value, and the given secrets
 * (the runtime token) replaced by `***`.
 */
export function scrubArtifactMessage(message: string, secrets: readonly (string | undefined)[] = []): string {
  let line = message.split(/\r?\n/).map((l) => l.trim()).find((l) => l !== '') ?? 'no message';
  for (const s of secrets) if (s && s.length >= 8) line = line.split(s).join('***');
  line = line.replace(/\b([a-z][a-z0-9+.-]*:\/\/[^\s?#"'<>]*)[?#][^\s"'<>]*/gi, '$1');
  line = line.replace(/\bsig=[^&\s"'<>]+/gi, 'sig=***');
  return line.length > 400 ? `${line.slice(0, 400)}…` : line;
}
