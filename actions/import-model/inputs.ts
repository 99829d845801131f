import { boolean, optionalName, optionalString, requiredString, serverInputs } from '@mlops-actions/core';

export const inputs = {
  ...serverInputs(),
  manifest: requiredString(),
  exchange: optionalString({ env: 'MLOPS_EXCHANGE' }),
  model: optionalName(),
  stage: optionalString(),
  force: boolean(false),
  'artifact-store': optionalString(),
  'dry-run': boolean(false),
};
