export {
  ZenmlClient,
  normaliseServerUrl,
  isUuid,
  DEFAULT_PAGE_SIZE,
  type ZenmlClientOptions,
  type ZenmlApi,
  type Query,
  type QueryValue,
} from './client.js';
export type { ServerInfo, UserInfo, Project, Stack, Model, Component } from './entities.js';
export {
  DEFAULT_RETRY_OPTIONS,
  retryOptionsFromEnv,
  resolveRetryOptions,
  backoffDelay,
  parseRetryAfter,
  networkErrorCode,
  isRetryableNetworkError,
  RETRYABLE_STATUSES,
  RETRYABLE_NETWORK_CODES,
  type RetryOptions,
  type Clock,
} from './retry.js';
export { createRetryingFetch, isTlsErrorCode, type FetchLike, type HttpOptions, type RetryNotice } from './http.js';
export { parseErrorBody, apiErrorFromResponse, hintFor, type ParsedErrorBody } from './error-body.js';
export { resetTokenCache, EXPIRY_MARGIN_MS, DEFAULT_PRO_API_URL } from './auth.js';
export { redactedPath } from './redact.js';
export { whileLoggingIn } from './login-ahead.js';
export {
  MIN_SUPPORTED_ZENML_VERSION,
  parseZenmlVersion,
  compareZenmlVersions,
  isSupportedZenmlVersion,
  type ZenmlVersion,
} from './version.js';
export * from './schemas.js';
export type { paths as ZenmlPaths, components as ZenmlComponents } from '../generated/zenml-api.js';
export { deleteIfPresent } from './delete.js';
