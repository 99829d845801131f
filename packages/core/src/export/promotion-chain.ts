/**
 * The promotion chain: the hops a model version already made (written into its run metadata
 * under `promotion_chain` by an earlier import), then this one.
 */
import type { RunContext } from '../action/github-context.js';
import { PromotionHopSchema, type PromotionHop } from '../manifest/schema.js';

export const PROMOTION_CHAIN_KEY = 'promotion_chain';

const HOP_KEYS = Object.keys(PromotionHopSchema.shape);
const END_KEYS = ['serverUrl', 'project', 'model', 'version', 'modelVersionId'];

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Known keys only, null values dropped (metadata round-trips may turn undefined into null). */
function pick(o: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (o[k] !== undefined && o[k] !== null) out[k] = o[k];
  return out;
}

/**
 * Earlier hops, validated leniently: unknown fields are dropped, an entry that still does not fit
 * PromotionHopSchema is left out with a log line. A JSON string (metadata stored as `str`) is parsed.
 */
export function earlierHops(metadata: Record<string, unknown>, log: (line: string) => void): PromotionHop[] {
  let raw = metadata[PROMOTION_CHAIN_KEY];
  if (raw === undefined || raw === null) return [];
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw) as unknown;
    } catch {
      log(`Run metadata '${PROMOTION_CHAIN_KEY}' is a string that is not JSON; earlier hops are not carried over.`);
      return [];
    }
  }
  if (!Array.isArray(raw)) {
    log(`Run metadata '${PROMOTION_CHAIN_KEY}' is not a list; earlier hops are not carried over.`);
    return [];
  }
  const hops: PromotionHop[] = [];
  raw.forEach((entry, i) => {
    if (!isRecord(entry)) {
      log(`${PROMOTION_CHAIN_KEY}[${i}] is not an object; dropped.`);
      return;
    }
    const candidate = pick(entry, HOP_KEYS);
    for (const end of ['from', 'to']) {
      if (isRecord(candidate[end])) candidate[end] = pick(candidate[end] as Record<string, unknown>, END_KEYS);
    }
    const parsed = PromotionHopSchema.safeParse(candidate);
    if (parsed.success) {
      hops.push(parsed.data);
    } else {
      const issue = parsed.error.issues[0];
      log(`${PROMOTION_CHAIN_KEY}[${i}] is malformed (${issue ? `${issue.path.join('.') || 'entry'}: ${issue.message}` : 'invalid'}); dropped.`);
    }
  });
  return hops;
}

export interface HopSource {
  serverUrl: string;
  project: string;
  model: string;
  version: string;
  modelVersionId: string;
}

/** This export's hop; `to` is filled in by the import that completes it. */
export function thisHop(from: HopSource, run: RunContext, bundleDigest: string | undefined): PromotionHop {
  return {
    from: { ...from },
    ...(bundleDigest ? { bundleDigest } : {}),
    ...(run.actor ? { actor: run.actor } : {}),
    at: run.at,
    ...(run.workflowRunUrl ? { workflowRunUrl: run.workflowRunUrl } : {}),
    ...(run.repository ? { repository: run.repository } : {}),
    ...(run.commit ? { commit: run.commit } : {}),
  };
}
