import { boolean, optionalString, requiredString, serverInputs, stringWithDefault } from '@mlops-actions/core';

export const inputs = {
  ...serverInputs(),
  model: requiredString(),
  stage: stringWithDefault('production'),
  'to-version': optionalString(),
  reason: requiredString(),
  'dry-run': boolean(false),
};
