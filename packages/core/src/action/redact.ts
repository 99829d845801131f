/**
 * Defence in depth for secrets. The runner masks what `core.setSecret` registered in its logs, but
 * not in the files an action writes (GITHUB_OUTPUT, the step summary, reports), and not in the
 * encodings a dependency might produce. Everything the suite writes goes through `scrub`.
 */
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
