/**
 * Puts a downloaded artifact's files on disk, and lists them back. The archive comes from the
 * artifact service, i.e. from whoever could upload to this run: nothing in it may land outside
 * its folder, and nothing but plain files and folders is created.
 */
import { lstat, mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { IntegrityError } from '../errors.js';
import { readZip, type ZipEntry, ZipFormatError } from './zip.js';

/** Unpacks the zip `bytes` of workflow artifact `name` into `dir` (which exists and is empty). */
export async function unpackZip(bytes: Buffer, dir: string, name: string): Promise<void> {
  let entries: ZipEntry[];
  try {
    entries = readZip(bytes);
  } catch (e) {
    if (e instanceof ZipFormatError) throw new IntegrityError(`Workflow artifact '${name}' is a zip archive this action cannot read: ${e.message}`);
    throw e;
  }
  const root = resolve(dir);
  for (const entry of entries) {
    const target = resolve(root, ...entry.name.split('/'));
    if (!isSafeEntryName(entry.name) || !(target + sep).startsWith(root + sep)) {
      throw new IntegrityError(`Workflow artifact '${name}' holds ${JSON.stringify(entry.name)}, a path outside its own folder`);
    }
    if (entry.kind === 'other') throw new IntegrityError(`Workflow artifact '${name}' holds ${entry.name}, which is not a regular file`);
    if (entry.kind === 'dir') {
      await mkdir(target, { recursive: true });
      continue;
    }
    await mkdir(dirname(target), { recursive: true });
    try {
      await writeFile(target, entry.data, { flag: 'wx' }); // 'wx': an archive naming one file twice is not silently resolved
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new IntegrityError(`Workflow artifact '${name}' holds ${entry.name} more than once`);
      throw e;
    }
  }
}

/** Relative, `/`-separated, no `..`: what a zip entry name must be (the archive writer's own rules). */
function isSafeEntryName(n: string): boolean {
  if (n === '' || n.startsWith('/') || n.includes('\\') || /^[A-Za-z]:/.test(n) || n.includes('\0')) return false;
  return !n.split('/').some((seg) => seg === '..');
}

/** Regular files under `dir`; anything else (a symlink, a device) is refused. */
export async function listFiles(dir: string, name: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const entry of await readdir(d)) {
      const p = join(d, entry);
      const st = await lstat(p);
      if (st.isDirectory()) await walk(p);
      else if (st.isFile()) out.push(p);
      else throw new IntegrityError(`Workflow artifact '${name}' holds ${relative(dir, p)}, which is not a regular file`);
    }
  };
  await walk(dir);
  return out.sort();
}
