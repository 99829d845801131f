import { boolean, optionalHttpUrl, optionalString, requiredName, requiredString, serverInputs } from '@mlops-actions/core';

export const inputs = {
  ...serverInputs(),
  model: requiredName(),
  version: optionalString(),
  'from-stage': optionalString(),
  'to-stage': requiredString(),
  force: boolean(false),
  'expected-current-version': optionalString(),
  'dry-run': boolean(false),
  'source-server-url': optionalHttpUrl(),
  'source-api-key': optionalString({ secret: true }),
  'source-project': optionalString(),
  exchange: optionalString({ env: 'MLOPS_EXCHANGE' }),
  policy: optionalString(),
  thresholds: optionalString(),
  'require-approval': boolean(false),
  environment: optionalString(),
  'refuse-self-approval': boolean(false),
  'github-token': optionalString({ secret: true, env: 'GITHUB_TOKEN', default: '${{ github.token }}' }),
};
