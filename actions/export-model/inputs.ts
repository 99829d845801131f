import { boolean, oneOf, optionalString, requiredName, requiredString, serverInputs, stringList, stringWithDefault } from '@mlops-actions/core';

export const inputs = {
  ...serverInputs(),
  model: requiredName(),
  version: stringWithDefault('staging'),
  exchange: requiredString({ env: 'MLOPS_EXCHANGE' }),
  artifacts: stringList(),
  'artifact-source': oneOf(['store', 'server'], 'store'),
  'dry-run': boolean(false),
  'upload-manifest': boolean(false),
  'manifest-artifact': optionalString(),
};
