/**
 * Runs `fn` over `items` with at most `limit` calls in flight, preserving order in the result.
 * On the first failure no new calls start; the in-flight ones are awaited, then it rejects with
 * that first error (so nothing keeps running behind the caller's back).
 */
export async function mapLimit<T, R>(
  items: Iterable<T>,
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`mapLimit: limit must be a positive integer, got ${limit}`);
  const list = Array.from(items);
  const results = new Array<R>(list.length);
  let next = 0;
  let failed = false;
  let firstError: unknown;

  const worker = async (): Promise<void> => {
    while (!failed && next < list.length) {
      const i = next++;
      try {
        results[i] = await fn(list[i] as T, i);
      } catch (e) {
        if (!failed) {
          failed = true;
          firstError = e;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, list.length) }, worker));
  if (failed) throw firstError;
  return results;
}
