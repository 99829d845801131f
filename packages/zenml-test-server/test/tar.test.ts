/** The ustar writer behind /artifact_versions/{id}/data, checked against the system `tar`. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readTar } from '../src/index.js';
import { tarGz } from '../src/tar.js';

const hasTar = (() => {
  try {
    execFileSync('tar', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('tar.gz writer', () => {
  const longDir = `${'d'.repeat(60)}/${'e'.repeat(60)}`;
  const longName = `${longDir}/${'f'.repeat(80)}.bin`;
  const entries = [
    { name: 'model.pkl', type: 'file' as const, data: Buffer.from('weights') },
    { name: 'empty.txt', type: 'file' as const, data: Buffer.alloc(0) },
    { name: 'sub', type: 'dir' as const },
    { name: 'sub/big.bin', type: 'file' as const, data: Buffer.alloc(1500, 7) },
    { name: longName, type: 'file' as const, data: Buffer.from('long') },
  ];

  test('round-trips through the reader, including a name that needs the ustar prefix', () => {
    const back = readTar(gunzipSync(tarGz(entries)));
    expect(back.map((e) => [e.name, e.type, e.data.length])).toEqual([
      ['model.pkl', 'file', 7],
      ['empty.txt', 'file', 0],
      ['sub', 'dir', 0],
      ['sub/big.bin', 'file', 1500],
      [longName, 'file', 4],
    ]);
  });

  (hasTar ? test : test.skip)('the system tar extracts it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tar-test-'));
    try {
      writeFileSync(join(dir, 'a.tar.gz'), tarGz(entries));
      execFileSync('tar', ['-xzf', 'a.tar.gz'], { cwd: dir });
      expect(readFileSync(join(dir, 'model.pkl'), 'utf8')).toBe('weights');
      expect(readFileSync(join(dir, 'sub', 'big.bin')).equals(Buffer.alloc(1500, 7))).toBe(true);
      expect(readFileSync(join(dir, longName), 'utf8')).toBe('long');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
