export * from './errors.js';
export * from './zenml/index.js';
export * from './action/index.js';
export * from './login/zenml-login.js';
export * from './login/summary.js';
export * from './exchange/index.js';
export * from './manifest/index.js';
export * from './transfer/progress.js';
