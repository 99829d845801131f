import { boolean, optionalString, requiredString, serverInputs } from '@mlops-actions/core';

export const inputs = {
  ...serverInputs(),
  manifest: requiredString(),
  exchange: optionalString({ env: 'MLOPS_EXCHANGE' }),
  model: optionalString(),
  stage: optionalString(),
  force: boolean(false),
  'artifact-store': optionalString(),
  'dry-run': boolean(false),
};
