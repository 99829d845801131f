import { boolean, httpUrl, optionalString, requiredString, stringWithDefault } from '@mlops-actions/core';

export const inputs = {
  'server-url': httpUrl({ env: 'ZENML_STORE_URL' }),
  'api-key': requiredString({ env: 'ZENML_STORE_API_KEY', secret: true }),
  project: stringWithDefault('default'),
  stack: optionalString(),
  'export-env': boolean(true),
};
