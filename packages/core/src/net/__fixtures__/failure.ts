/** The rejection of `p`, which must reject (the test fails when it resolves). */
export async function failure(p: Promise<unknown>): Promise<Error & { cause?: Error & { code?: string } }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { cause?: Error & { code?: string } };
  }
  throw new Error('expected a rejection');
}
