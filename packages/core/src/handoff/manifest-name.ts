/**
 * True when `value` is a URI or a path (`file://…`, `gs://…`, `/abs`, `./rel`, `C:\…`) rather than
 * the name of a workflow artifact. An artifact name can hold none of `/`, `\` and `:`, so any of
 * them marks a URI or path; a bare `manifest.json` is an artifact name (write `./manifest.json`
 * for a file in the working directory). On its own so that telling them apart does not load the
 * artifact client (and zlib with it).
 */
export function isManifestUri(value: string): boolean {
  return /[/\\:]/.test(value.trim());
}
