import { InputError } from '../errors.js';
import { splitRunMetadata } from './build-manifest.js';
import { earlierHops } from './promotion-chain.js';
import { versionLookup } from './resolve.js';
import { selectArtifacts, type ArtifactFacts } from './source-facts.js';

const hop = { from: { serverUrl: 'u', project: 'p', model: 'm', version: '1', modelVersionId: 'x' }, at: '2025-01-01T00:00:00Z' };

describe('export units', () => {
  it('version lookup: number, stage (case-insensitive), latest by sort (never stage=latest), name with equals:', () => {
    expect(versionLookup('12').query).toEqual({ number: 12 });
    expect(versionLookup(' Production ').query).toEqual({ stage: 'production' });
    expect(versionLookup('latest').query).toEqual({ sort_by: 'desc:number' });
    expect(versionLookup('contains:x').query).toEqual({ name: 'equals:contains:x' });
    expect(() => versionLookup('  ')).toThrow(InputError);
  });

  it('metrics are the numeric run metadata; the promotion chain is kept apart', () => {
    expect(splitRunMetadata({ acc: 0.9, n: 3, ok: true, s: '1', d: { a: 1 }, promotion_chain: [] })).toEqual({
      metrics: { acc: 0.9, n: 3 },
      metadata: { ok: true, s: '1', d: { a: 1 } },
    });
  });

  it('earlier hops: lenient (extra fields and nulls dropped, JSON strings parsed), malformed ones dropped with a log line', () => {
    const logs: string[] = [];
    expect(earlierHops({ promotion_chain: JSON.stringify([{ ...hop, actor: null, extra: 1 }]) }, (l) => logs.push(l))).toEqual([hop]);
    expect(earlierHops({ promotion_chain: [hop, { from: {} }, 3] }, (l) => logs.push(l))).toEqual([hop]);
    expect(earlierHops({ promotion_chain: 'not json' }, (l) => logs.push(l))).toEqual([]);
    expect(earlierHops({}, (l) => logs.push(l))).toEqual([]);
    expect(logs).toHaveLength(3);
  });

  it('artifact selection: newest per name, deployment artifacts only when named, unknown names listed', () => {
    const a = (name: string, version: string, created: string, type = 'DataArtifact'): ArtifactFacts =>
      ({ id: `${name}-${version}`, name, version, type, uri: '/x', materializer: 'm.M', dataType: 'd.D', runMetadata: {}, tags: [], created }) as ArtifactFacts;
    const all = [a('model', '1', '2025-01-01'), a('model', '2', '2025-02-01'), a('svc', '1', '2025-01-01', 'ServiceArtifact'), a('data', '1', '2025-01-01')];
    const logs: string[] = [];
    expect(selectArtifacts(all, undefined, (l) => logs.push(l)).map((x) => x.id)).toEqual(['data-1', 'model-2']);
    expect(logs.join('\n')).toMatch(/version 1 is also linked; exporting the newest, version 2[\s\S]*'svc' \(ServiceArtifact\) is left out/);
    expect(selectArtifacts(all, ['svc'], () => undefined).map((x) => x.id)).toEqual(['svc-1']);
    expect(() => selectArtifacts(all, ['nope', 'model', 'also'], () => undefined)).toThrow(/'nope', 'also' are not linked.*data, model, svc/);
  });
});
