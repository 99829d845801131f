/**
 * ZenML versions follow PEP 440 (`0.97.0`, `0.90.0rc1`, `0.80.0.dev3`, `0.71.0.post1`), which
 * semver parsers get wrong (a `.dev` release sorts before the `rc` of the same version).
 */

/** The suite needs projects and UUID-only gets (0.80+); older servers are refused up front. */
export const MIN_SUPPORTED_ZENML_VERSION = '0.80.0';

export interface ZenmlVersion {
  release: number[];
  /** Pre-release: a (alpha) < b (beta) < rc, each with its number. */
  pre?: { kind: 'a' | 'b' | 'rc'; n: number };
  post?: number;
  dev?: number;
  raw: string;
}

const PEP440 =
  /^v?(\d+(?:\.\d+)*)(?:[-_.]?(a|alpha|b|beta|c|rc|pre|preview)[-_.]?(\d*))?(?:[-_.]?(?:post|rev|r)[-_.]?(\d*))?(?:[-_.]?dev[-_.]?(\d*))?(?:\+[a-z0-9.]+)?$/i;

export function parseZenmlVersion(raw: string): ZenmlVersion | undefined {
  const m = PEP440.exec(raw.trim());
  if (!m) return undefined;
  const [, rel, preKind, preN, postN, devN] = m;
  const v: ZenmlVersion = { release: (rel ?? '').split('.').map(Number), raw };
  if (preKind) {
    const k = preKind.toLowerCase();
    const kind = k === 'a' || k === 'alpha' ? 'a' : k === 'b' || k === 'beta' ? 'b' : 'rc';
    v.pre = { kind, n: Number(preN || 0) };
  }
  if (postN !== undefined) v.post = Number(postN || 0);
  if (devN !== undefined) v.dev = Number(devN || 0);
  return v;
}

const PRE_RANK = { a: 0, b: 1, rc: 2 } as const;

/** Negative, zero or positive like a sort comparator. Unparseable versions throw. */
export function compareZenmlVersions(a: string | ZenmlVersion, b: string | ZenmlVersion): number {
  const va = typeof a === 'string' ? mustParse(a) : a;
  const vb = typeof b === 'string' ? mustParse(b) : b;
  const len = Math.max(va.release.length, vb.release.length);
  for (let i = 0; i < len; i++) {
    const d = (va.release[i] ?? 0) - (vb.release[i] ?? 0);
    if (d) return Math.sign(d);
  }
  const kb = sortKey(vb);
  const d = sortKey(va).map((x, i) => x - (kb[i] ?? 0)).find((x) => x !== 0);
  return d ? Math.sign(d) : 0;
}

/**
 * Within one release: X.devN < XaN < XbN < XrcN < X < X.postN, and a `.dev` suffix sorts just
 * before the pre/post release it is attached to.
 */
function sortKey(v: ZenmlVersion): number[] {
  const dev = v.dev === undefined ? Number.MAX_SAFE_INTEGER : v.dev;
  if (!v.pre && v.post === undefined && v.dev !== undefined) return [-1, 0, 0, -1, dev];
  const pre = v.pre ? [PRE_RANK[v.pre.kind], v.pre.n] : [3, 0];
  const post = v.post === undefined ? -1 : v.post;
  return [pre[0] ?? 3, pre[1] ?? 0, 0, post, dev];
}

function mustParse(raw: string): ZenmlVersion {
  const v = parseZenmlVersion(raw);
  if (!v) throw new RangeError(`not a ZenML version: '${raw.slice(0, 40)}'`);
  return v;
}

/** True for versions the suite supports; false for older ones and for unparseable strings. */
export function isSupportedZenmlVersion(raw: string): boolean {
  const v = parseZenmlVersion(raw);
  return v !== undefined && compareZenmlVersions(v, MIN_SUPPORTED_ZENML_VERSION) >= 0;
}
