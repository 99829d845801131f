/**
 * Defence in depth for secrets. The runner masks what `core.setSecret` registered in its logs, but
 * not in the files an action writes (GITHUB_OUTPUT, the step summary, reports), and not in the
 * encodings a dependency might produce. Everything the suite writes goes through `scrub`.
 */
/** A shorter piece of a cut secret is too likely to be ordinary text (and gives little away). */
const MIN_CUT = 12;

export class Redactor {
  private readonly forms = new Set<string>();

  /** Registers a secret and the encodings in which it could leak (base64, URL-encoded). */
  add(secret: string | undefined): void {
    if (!secret || secret.length < 4) return; // too short to scrub without mangling ordinary text
    for (const form of encodings(secret)) this.forms.add(form);
  }

  /** The forms registered so far, longest first so that a longer form is replaced whole. */
  all(): string[] {
    return [...this.forms].sort((a, b) => b.length - a.length);
  }

  scrub(text: string): string {
    let out = text;
    for (const form of this.all()) out = out.split(form).join('***');
    return out.includes('…') ? this.scrubCutSecrets(out) : out;
  }

  /**
   * A dependency that shortens a message ("…") before it reaches us can cut a secret in two, and
   * the first part no longer matches the whole secret; it still gives most of it away (a token's
   * claims and most of its signature). So a secret's beginning right before a "…" is scrubbed too.
   */
  private scrubCutSecrets(text: string): string {
    let out = text;
    for (const form of this.all()) {
      out = out.replace(/…/g, (mark, at: number) => {
        const before = out.slice(Math.max(0, at - form.length), at);
        for (let n = Math.min(before.length, form.length - 1); n >= MIN_CUT; n--) {
          if (before.endsWith(form.slice(0, n))) return `\u0000${n}\u0000${mark}`;
        }
        return mark;
      });
      // Second pass: drop the marked prefixes (replace callbacks cannot edit text before the match).
      out = out.replace(/([\s\S]*?)\u0000(\d+)\u0000/g, (_m, head: string, n: string) => `${head.slice(0, head.length - Number(n))}***`);
    }
    return out;
  }

  contains(text: string): boolean {
    return this.all().some((form) => text.includes(form));
  }
}

function encodings(secret: string): string[] {
  const forms = [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')];
  const b64url = Buffer.from(secret).toString('base64url');
  forms.push(b64url);
  return [...new Set(forms)];
}
