/**
 * The node:fs/promises functions the stores and sources use, loaded on the first call instead of
 * when their module loads. On Node 20 node:fs/promises brings readline and the file watchers with
 * it (2–6 ms measured on a 2-core VM), and an export or a cross-server promotion opens its
 * exchange well before its first file operation: the load then falls after the action's first
 * requests instead of before them.
 */
import type * as FsPromises from 'node:fs/promises';

let loading: Promise<typeof FsPromises> | undefined;

function lazy<K extends keyof typeof FsPromises>(name: K): (typeof FsPromises)[K] {
  // Cast: one wrapper cannot restate every overload of every function; it passes its arguments
  // through unchanged, so each keeps node:fs/promises' own signature.
  return (async (...args: unknown[]) => {
    const fs = await (loading ??= import('node:fs/promises'));
    return (fs[name] as (...a: unknown[]) => unknown)(...args);
  }) as (typeof FsPromises)[K];
}

export const copyFile = lazy('copyFile');
export const link = lazy('link');
export const lstat = lazy('lstat');
export const mkdir = lazy('mkdir');
export const open = lazy('open');
export const readdir = lazy('readdir');
export const rename = lazy('rename');
export const rm = lazy('rm');
export const rmdir = lazy('rmdir');
export const unlink = lazy('unlink');
