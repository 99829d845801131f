import { compareZenmlVersions, isSupportedZenmlVersion, MIN_SUPPORTED_ZENML_VERSION, parseZenmlVersion } from './version.js';

describe('ZenML versions', () => {
  it('parses release, rc, dev and post forms', () => {
    expect(parseZenmlVersion('0.97.0')).toMatchObject({ release: [0, 97, 0] });
    expect(parseZenmlVersion('0.90.0rc1')).toMatchObject({ release: [0, 90, 0], pre: { kind: 'rc', n: 1 } });
    expect(parseZenmlVersion('0.80.0.dev3')).toMatchObject({ release: [0, 80, 0], dev: 3 });
    expect(parseZenmlVersion('0.71.0.post1')).toMatchObject({ post: 1 });
    expect(parseZenmlVersion('not-a-version')).toBeUndefined();
  });

  it('orders like PEP 440', () => {
    const sorted = ['0.80.0.dev3', '0.80.0rc1.dev1', '0.80.0rc1', '0.80.0rc2', '0.80.0', '0.80.0.post1', '0.80.1', '0.90.0rc1', '0.90.0', '0.97.0', '1.0.0'];
    const shuffled = [...sorted].reverse();
    expect(shuffled.sort(compareZenmlVersions)).toEqual(sorted);
    expect(compareZenmlVersions('0.80', '0.80.0')).toBe(0);
    expect(compareZenmlVersions('0.9.0', '0.80.0')).toBeLessThan(0);
  });

  it('knows the supported range', () => {
    expect(MIN_SUPPORTED_ZENML_VERSION).toBe('0.80.0');
    expect(isSupportedZenmlVersion('0.60.0')).toBe(false);
    expect(isSupportedZenmlVersion('0.80.0rc1')).toBe(false);
    expect(isSupportedZenmlVersion('0.80.0')).toBe(true);
    expect(isSupportedZenmlVersion('0.97.0')).toBe(true);
  });
});
