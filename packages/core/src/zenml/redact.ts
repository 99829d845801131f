/**
 * Paths end up in error messages and logs; a few ZenML routes carry a credential in the query
 * (`/artifact_versions/{id}/data?token=…`), so every path is passed through here first.
 */

/** Query parameters whose values are credentials. */
const SECRET_PARAMS = /([?&](?:token|access_token|api_key|apikey|password|key)=)[^&#]*/gi;

/** `pathname?query` of a URL (or an already relative path), with credential values replaced by `***`. */
export function redactedPath(url: string | URL): string {
  let pathAndQuery: string;
  if (url instanceof URL) {
    pathAndQuery = url.pathname + url.search;
  } else {
    try {
      const u = new URL(url);
      pathAndQuery = u.pathname + u.search;
    } catch {
      pathAndQuery = url;
    }
  }
  return pathAndQuery.replace(SECRET_PARAMS, '$1***');
}

/** Replaces every occurrence of each secret in `text`; for messages built from foreign input. */
export function scrubSecrets(text: string, secrets: Iterable<string | undefined>): string {
  let out = text;
  for (const s of secrets) {
    if (s && s.length >= 4) out = out.split(s).join('***');
  }
  return out;
}
