/**
 * A small fetch over node:http/node:https for the suite's HTTP clients, so that no action loads
 * undici (Node's fetch) at start-up. See fetch.ts for what it does and does not do.
 */
export { liteFetch, type FetchLike } from './fetch.js';
export { LiteHeaders, type HeadersLike, type HeadersSource } from './headers.js';
export { LiteRequest, isRequestLike, type LiteRequestInit, type RedirectMode, type RequestLike } from './request.js';
export { LiteResponse, discardBody, type LiteResponseInit, type ResponseBodySource, type ResponseLike } from './response.js';
export { readableBody } from './node-body.js';
export { createTypedClient, type HeaderValues, type ParseAs, type TypedClientOptions } from './typed-client.js';
export { resetConnectionPools, IDLE_CONNECTION_MS } from './agents.js';
export { MAX_REDIRECTS } from './redirect.js';
