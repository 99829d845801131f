import { boolean, optionalString, serverInputs, stringWithDefault } from '@mlops-actions/core';

export const inputs = {
  ...serverInputs(),
  'from-run': optionalString(),
  pipeline: optionalString(),
  name: optionalString(),
  environment: stringWithDefault('staging'),
  stack: optionalString(),
  config: optionalString(),
  replace: boolean(false),
  run: boolean(false),
};
