import { httpUrl, requiredString, stringWithDefault } from './input-types.js';

/**
 * The inputs every action that talks to one ZenML server declares. They fall back to what
 * zenml-login exported, so a job logs in once and later steps name only what they work on.
 */
export function serverInputs() {
  return {
    'server-url': httpUrl({ env: 'ZENML_STORE_URL' }),
    'api-key': requiredString({ env: 'ZENML_STORE_API_KEY', secret: true }),
    project: stringWithDefault('default', { env: 'ZENML_ACTIVE_PROJECT_ID' }),
  };
}
