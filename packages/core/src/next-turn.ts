/**
 * Resolves after the event loop has gone round once, I/O callbacks included. A request started
 * just before it has left the process by then, instead of waiting behind synchronous work that
 * would otherwise run first (loading a chunk of code, parsing a manifest).
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
