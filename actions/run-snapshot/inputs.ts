import { boolean, optionalString, requiredString, serverInputs, stringWithDefault, yamlObject } from '@mlops-actions/core';

export const inputs = {
  ...serverInputs(),
  snapshot: requiredString(),
  pipeline: optionalString(),
  parameters: yamlObject(),
  steps: yamlObject(),
  'run-name': optionalString(),
  wait: boolean(true),
  timeout: stringWithDefault('1h'),
  'poll-interval': stringWithDefault('15s'),
};
