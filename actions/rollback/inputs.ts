import { boolean, optionalString, requiredName, requiredString, serverInputs, stringWithDefault } from '@mlops-actions/core';

export const inputs = {
  ...serverInputs(),
  model: requiredName(),
  stage: stringWithDefault('production'),
  'to-version': optionalString(),
  reason: requiredString(),
  'dry-run': boolean(false),
};
