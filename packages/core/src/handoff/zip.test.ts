import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IntegrityError } from '../errors.js';
import { LIBRARY_ZIP_MANIFEST, LIBRARY_ZIP_ONE, LIBRARY_ZIP_TWO } from './__fixtures__/artifacts.js';
import { unpackZip } from './unpack.js';
import { readZip, writeZip, ZipFormatError } from './zip.js';

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'handoff-zip-test-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const fresh = (): string => mkdtempSync(join(work, 'out-'));

describe('zip', () => {
  it('round trip: what writeZip makes, readZip reads back identical', () => {
    const files = [
      { name: 'manifest.json', data: Buffer.from('{"a":1}\n'.repeat(100)) },
      { name: 'dir/ünïcode.json', data: Buffer.alloc(0) },
    ];
    expect(readZip(writeZip(files))).toEqual(files.map((f) => ({ ...f, kind: 'file' })));
  });

  it('reads the zips GitHub’s artifact library wrote (deflate, data descriptors)', () => {
    expect(readZip(LIBRARY_ZIP_ONE)).toEqual([{ name: 'manifest.json', kind: 'file', data: LIBRARY_ZIP_MANIFEST }]);
    expect(readZip(LIBRARY_ZIP_TWO).map((e) => e.name)).toEqual(['manifest.json', 'other.json']);
  });

  it('refuses corrupt archives', () => {
    const zip = writeZip([{ name: 'manifest.json', data: Buffer.from('{"schemaVersion":1}') }]);
    const flipped = Buffer.from(zip);
    const data = 30 + 'manifest.json'.length + 1; // past the local header: inside the deflated data
    flipped[data] = flipped[data]! ^ 0xff;
    expect(() => readZip(flipped)).toThrow(ZipFormatError);
    expect(() => readZip(Buffer.from('{"not":"a zip"}'))).toThrow('it is not a ZIP archive');
    expect(() => readZip(zip.subarray(0, zip.length - 30))).toThrow(ZipFormatError);
  });

  // Other tools must open what we upload: the artifact page offers it for download as it is.
  (existsSync('/usr/bin/unzip') ? it : it.skip)('Info-ZIP unzip accepts what writeZip makes', () => {
    const file = join(work, 'ours.zip');
    writeFileSync(file, writeZip([{ name: 'manifest.json', data: Buffer.from('{"x":1}\n') }]));
    expect(execFileSync('/usr/bin/unzip', ['-t', file]).toString()).toContain('No errors detected');
  });
});

describe('unpackZip', () => {
  it('writes the files, folders included', async () => {
    const dir = fresh();
    await unpackZip(writeZip([{ name: 'a/b/manifest.json', data: Buffer.from('{}') }]), dir, 'nested');
    expect(readdirSync(join(dir, 'a', 'b'))).toEqual(['manifest.json']);
  });

  it.each(['../escape.json', '/abs.json', 'a/../../escape.json', 'C:/win.json', 'a\\b.json'])('refuses the entry %j', async (entry) => {
    const dir = fresh();
    const p = unpackZip(writeZip([{ name: entry, data: Buffer.from('{}') }]), dir, 'evil');
    await expect(p).rejects.toBeInstanceOf(IntegrityError);
    await expect(p).rejects.toThrow(`Workflow artifact 'evil' holds ${JSON.stringify(entry)}, a path outside its own folder`);
    expect(existsSync(join(work, 'escape.json'))).toBe(false);
  });

  it('refuses a symlink entry and a file named twice', async () => {
    const link = writeZip([{ name: 'manifest.json', data: Buffer.from('/etc/passwd') }]);
    const cd = link.readUInt32LE(link.length - 6); // central directory offset, from the end record
    link.writeUInt32LE((0o120777 << 16) >>> 0, cd + 38);
    await expect(unpackZip(link, fresh(), 'linked')).rejects.toThrow("Workflow artifact 'linked' holds manifest.json, which is not a regular file");
    const twice = writeZip([
      { name: 'manifest.json', data: Buffer.from('{}') },
      { name: 'manifest.json', data: Buffer.from('{"b":1}') },
    ]);
    await expect(unpackZip(twice, fresh(), 'twice')).rejects.toThrow("Workflow artifact 'twice' holds manifest.json more than once");
  });

  it('words an unreadable archive as an IntegrityError on the artifact', async () => {
    await expect(unpackZip(Buffer.from('nope'), fresh(), 'junk')).rejects.toThrow("Workflow artifact 'junk' is a zip archive this action cannot read: it is not a ZIP archive");
  });
});
