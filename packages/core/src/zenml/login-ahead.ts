import { nextTurn } from '../next-turn.js';
import type { ZenmlClient } from './client.js';

/**
 * Runs `work` — local work that sends no request of its own: loading code, opening the exchange —
 * while `client` logs in. The login leaves first and its round trip overlaps the work instead of
 * following it; the first API call afterwards takes it over (its token, or its failure, which it
 * reports as it would have). Neither waits for the other: a failure of `work` is thrown at once.
 * A login no call takes over is the client's to give up (`abandonLogin`), as runAction does for
 * the clients connectZenml made. Without a client it just runs `work`.
 */
export async function whileLoggingIn<T>(client: ZenmlClient | undefined, work: () => Promise<T>): Promise<T> {
  if (!client) return work();
  void client.startLogin(); // never rejects
  await nextTurn();
  return work();
}
