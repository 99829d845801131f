/**
 * The third-party actions the workflows may use, each pinned to the full commit SHA of a release
 * that runs on node24 (GitHub's runners no longer run node20 actions). A pin is added here only
 * after its SHA was checked against two independent sources; README ("Pinned actions") lists them.
 */
export interface Pin {
  sha: string;
  version: string;
}

export const PINS: Readonly<Record<string, Pin>> = {
  'actions/checkout': { sha: '08c6903cd8c0fde910a37f88322edcfb5dd907a8', version: 'v5.0.0' },
  'actions/setup-node': { sha: '2028fbc5c25fe9cf00d9f06a71cc4710d4507903', version: 'v6.0.0' },
  'actions/setup-python': { sha: 'e797f83bcb11b83ae66e0230d6156d7c80228e7c', version: 'v6.0.0' },
  'google-github-actions/auth': { sha: '7c6bc770dae815cd3e89ee6cdf493a5fab2cc093', version: 'v3.0.0' },
};
