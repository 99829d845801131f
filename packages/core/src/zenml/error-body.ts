/**
 * ZenML answers errors in several shapes (API.md §9) and proxies in front of it add their own
 * (HTML error pages, empty bodies). Everything here reduces them to one exception class and one
 * short message, so a failed step says what the server said and not a page of markup.
 */
import { ZenmlApiError } from '../errors.js';
import { redactedPath, scrubSecrets } from './redact.js';

export interface ParsedErrorBody {
  /** ZenML exception class (`detail[0]`), when the body carried one. */
  exceptionClass?: string;
  /** The message, whitespace-collapsed and bounded; '' for an empty body. */
  message: string;
}

/** A server message longer than this is cut: it goes into a one-line error. */
const MAX_MESSAGE = 500;
/** Non-JSON bodies (proxy pages) are only ever quoted as a short excerpt. */
const MAX_EXCERPT = 200;

export function parseErrorBody(text: string, contentType?: string | null): ParsedErrorBody {
  const trimmed = text.trim();
  if (!trimmed) return { message: '' };
  let json: unknown;
  let isJson = false;
  if (/^[[{"]/.test(trimmed) || /json/i.test(contentType ?? '')) {
    try {
      json = JSON.parse(trimmed);
      isJson = true;
    } catch {
      // not JSON after all: fall through to the text excerpt
    }
  }
  if (!isJson) return { message: excerpt(trimmed, contentType) };
  return fromJson(json) ?? { message: bounded(oneLine(trimmed), MAX_EXCERPT) };
}

function fromJson(json: unknown): ParsedErrorBody | undefined {
  // Bare ["Cls", "msg"]: ZenML's 422 validation handler.
  const tuple = asTuple(json);
  if (tuple) return tuple;
  if (typeof json === 'string') return { message: clean(json) };
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return undefined;
  const detail = (json as { detail?: unknown }).detail;
  if (detail === undefined) {
    const msg = (json as { message?: unknown }).message;
    return typeof msg === 'string' ? { message: clean(msg) } : undefined;
  }
  const dt = asTuple(detail);
  if (dt) return dt;
  if (typeof detail === 'string') return { message: clean(detail) };
  if (Array.isArray(detail)) {
    // FastAPI's HTTPValidationError: [{loc, msg, type}, ...]
    const parts = detail.map(validationItem).filter((s): s is string => s !== undefined);
    if (parts.length) return { exceptionClass: 'ValidationError', message: bounded(parts.join('; '), MAX_MESSAGE) };
  }
  return { message: bounded(oneLine(JSON.stringify(detail)), MAX_EXCERPT) };
}

function asTuple(v: unknown): ParsedErrorBody | undefined {
  if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'string' || typeof v[1] !== 'string') return undefined;
  if (!/^[A-Za-z_][\w.]*$/.test(v[0])) return undefined;
  return { exceptionClass: v[0], message: clean(v[1]) };
}

function validationItem(item: unknown): string | undefined {
  if (item === null || typeof item !== 'object') return undefined;
  const { loc, msg } = item as { loc?: unknown; msg?: unknown };
  if (typeof msg !== 'string') return undefined;
  const where = Array.isArray(loc) ? loc.map(String).join('.') : '';
  return where ? `${where}: ${msg}` : msg;
}

/** One line, bounded, without the quotes `str(KeyError(...))` wraps around the message. */
function clean(msg: string): string {
  let m = oneLine(msg);
  if (m.length >= 2 && (m[0] === '"' || m[0] === "'") && m[m.length - 1] === m[0]) m = m.slice(1, -1).trim();
  return bounded(m, MAX_MESSAGE);
}

function excerpt(text: string, contentType?: string | null): string {
  const looksHtml = /html/i.test(contentType ?? '') || /^<(!doctype|html|head|body)/i.test(text);
  if (looksHtml) {
    const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(text)?.[1];
    const h1 = /<h1[^>]*>([\s\S]*?)<\/h1>/i.exec(text)?.[1];
    const chosen = stripTags(title ?? h1 ?? text);
    return bounded(`HTML page: ${chosen || 'no title'}`, MAX_EXCERPT);
  }
  return bounded(oneLine(text), MAX_EXCERPT);
}

function stripTags(html: string): string {
  return oneLine(
    html
      .replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
      .replace(/<[^>]*>/g, ' ')
      .replace(/&nbsp;/g, ' ')
      .replace(/&amp;/g, '&')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'"),
  );
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

function bounded(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** The sentence that tells the user what to do about a status, when we know one. */
export function hintFor(status: number, path: string, parsed: ParsedErrorBody): string | undefined {
  const bare = path.split('?')[0] ?? path;
  switch (status) {
    case 401:
      return (
        'The API key is invalid, expired or deactivated (or its service account is): create a new one for the ' +
        'service account (`zenml service-account api-key <account> create <key-name>`) and update the secret that holds it.'
      );
    case 402:
      return 'Your ZenML Pro plan does not include this (or its limit is reached): upgrade the plan or free up capacity.';
    case 403:
      return 'The service account lacks permission for this: grant it a role that allows it (ZenML Pro RBAC).';
    case 404:
      if (bare.length > 1 && bare.endsWith('/')) return 'The path ends with "/": ZenML answers 404 to trailing slashes.';
      if (!parsed.message) return 'This server has no such route: it may need a newer ZenML version, or ZenML Pro.';
      return undefined;
    case 405:
      return 'This server does not offer that operation: it may need a newer ZenML version, or ZenML Pro.';
    default:
      return undefined;
  }
}

export function apiErrorFrom(
  status: number,
  method: string,
  url: string | URL,
  parsed: ParsedErrorBody,
  hint?: string,
): ZenmlApiError {
  const path = redactedPath(url);
  return new ZenmlApiError(status, method.toUpperCase(), path, parsed.exceptionClass, parsed.message, hint ?? hintFor(status, path, parsed));
}

/**
 * Reads a non-OK response's body (once) and turns it into the error the user sees. `secrets` are
 * blanked out of the server's message: a server or proxy that echoes a credential must not leak it.
 */
export async function apiErrorFromResponse(
  res: Response,
  method: string,
  url?: string | URL,
  secrets: Iterable<string | undefined> = [],
): Promise<ZenmlApiError> {
  let text = '';
  try {
    text = await res.text();
  } catch {
    // the body broke off: the status alone still says what happened
  }
  // Scrubbed before parsing: the message is cut to a bounded length, and a secret straddling
  // the cut would survive as a prefix that no longer matches the whole secret.
  const secretList = [...secrets];
  const parsed = parseErrorBody(scrubSecrets(text, secretList), res.headers.get('content-type'));
  parsed.message = scrubSecrets(parsed.message, secretList);
  return apiErrorFrom(res.status, method, url ?? res.url, parsed);
}
