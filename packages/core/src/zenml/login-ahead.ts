import { nextTurn } from '../next-turn.js';
import type { ZenmlClient } from './client.js';

/**
 * Runs `work` — local work that sends no request of its own: loading code, opening the exchange —
 * while `client` logs in. The login leaves first and its round trip overlaps the work instead of
 * following it; the first API call afterwards finds the token (or the login's failure, which it
 * reports as it would have). Settles when both have, so no login is left running behind a
 * failure of `work`, whose error is the one thrown. Without a client it just runs `work`.
 */
export async function whileLoggingIn<T>(client: ZenmlClient | undefined, work: () => Promise<T>): Promise<T> {
  if (!client) return work();
  const login = client.startLogin();
  await nextTurn();
  const [done] = await Promise.allSettled([work(), login]);
  if (done.status === 'rejected') throw done.reason;
  return done.value;
}
