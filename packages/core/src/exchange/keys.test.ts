import { IntegrityError } from '../errors.js';
import { checkKey, checkPrefix, keyProblem } from './keys.js';
import { BAD_KEYS } from './test-keys.js';

describe('exchange keys', () => {
  it.each(BAD_KEYS)('rejects %s', (_label, key) => {
    expect(keyProblem(key)).toBeDefined();
    expect(() => checkKey(key)).toThrow(IntegrityError);
  });

  it('says which key and why, on one line', () => {
    expect(() => checkKey('a/../../etc')).toThrow(`Unsafe exchange key "a/../../etc": it has a '..' segment.`);
    expect(() => checkKey('a\0b')).toThrow('"a\\u0000b"');
  });

  it.each(['a', 'model/v1/manifest.json', 'a b/c-d_e.f', 'x/.hidden', '..a/b..', 'ünïcode/ファイル', 'a'.repeat(1024)])(
    'accepts %s',
    (key) => {
      expect(checkKey(key)).toBe(key);
    },
  );

  it('accepts list prefixes with a trailing slash or empty, with the same rules', () => {
    expect(checkPrefix('')).toBe('');
    expect(checkPrefix('models/')).toBe('models/');
    expect(checkPrefix('models/v')).toBe('models/v');
    expect(() => checkPrefix('../')).toThrow(IntegrityError);
    expect(() => checkPrefix('/abs/')).toThrow(IntegrityError);
    expect(() => checkPrefix('a//')).toThrow(IntegrityError);
  });
});
