/** Shared by the exchange tests: keys every store must refuse (the traversal guard). */
export const BAD_KEYS: Array<[label: string, key: string]> = [
  ['empty', ''],
  ['absolute', '/etc/passwd'],
  ['parent', '../escape'],
  ['parent inside', 'models/../../escape'],
  ['parent at end', 'models/..'],
  ['dot segment', './a'],
  ['backslash', 'a\\b'],
  ['windows traversal', '..\\..\\x'],
  ['NUL', 'a\0b'],
  ['empty segment', 'a//b'],
  ['trailing slash', 'a/'],
  ['drive letter', 'C:/Windows'],
  ['newline', 'a\nb'],
  ['lone surrogate', 'a\ud800b'],
  ['too long', 'a'.repeat(1025)],
  ['too long in bytes', 'é'.repeat(513)],
];
