import { IntegrityError } from '../errors.js';

/**
 * A ZenML answer's JSON. A proxy's HTML page or a truncated body becomes one line that points at
 * the likely cause, never a raw syntax error quoting the page.
 */
export async function readJson(res: Response, what: string): Promise<unknown> {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new IntegrityError(`Unexpected response from the ZenML server for ${what}: not JSON. Check that server-url points at a ZenML server.`);
  }
}
