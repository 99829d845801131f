export * from './input-types.js';
export * from './markdown.js';
export * from './read-inputs.js';
export * from './redact.js';
export * from './run-action.js';
export * from './connect.js';
export * from './server-inputs.js';
export * from './github-context.js';
