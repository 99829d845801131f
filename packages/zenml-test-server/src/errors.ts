/**
 * Error responses in the shapes ZenML produces (API.md §9).
 *
 * Handlers throw `ApiError`; the server turns it into the response. Three body
 * shapes exist on the wire and all three are reproduced on purpose:
 *  - `{"detail": ["<ExceptionClass>", "<message>"]}` for mapped exceptions,
 *  - `{"detail": "<message>"}` for FastAPI HTTPExceptions (login form errors,
 *    "Not authenticated"),
 *  - a bare `["ValueError", "<text>"]` for 422 request-validation errors,
 *  - and no body at all for the catch-all 404.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** `undefined` means: send no body at all. */
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof body === 'object' ? JSON.stringify(body) : String(body));
    this.name = 'ApiError';
  }
}

/** `{"detail": [cls, message]}` with the given status. */
export function zenError(status: number, exceptionClass: string, message: string): ApiError {
  return new ApiError(status, { detail: [exceptionClass, message] });
}

/**
 * Python's `repr()` of a string, because `str(KeyError("msg"))` is the repr of
 * the message: the real 404 bodies carry the message wrapped in quotes
 * (capture 26-get-model-version-404.json).
 */
export function pyRepr(text: string): string {
  if (text.includes("'") && !text.includes('"')) return `"${text}"`;
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export const keyError = (message: string): ApiError => zenError(404, 'KeyError', pyRepr(message));
export const valueError = (message: string): ApiError => zenError(400, 'ValueError', message);
export const entityExists = (message: string): ApiError => zenError(409, 'EntityExistsError', message);
export const runtimeError = (message: string): ApiError => zenError(500, 'RuntimeError', message);
export const illegalOperation = (message: string): ApiError => zenError(403, 'IllegalOperationError', message);

/** 401 for a token that is missing its credentials' validity (expired, revoked, garbled). */
export const credentialsNotValid = (message: string): ApiError => zenError(401, 'CredentialsNotValid', message);
/** 401 raised by the login endpoint for a bad API key (capture 09-login-api-key-bad.json). */
export const authorizationException = (message: string): ApiError =>
  zenError(401, 'AuthorizationException', message);

/** FastAPI `HTTPException(status, detail=<string>)`. */
export const httpDetail = (status: number, message: string, headers: Record<string, string> = {}): ApiError =>
  new ApiError(status, { detail: message }, headers);

/** What OAuth2PasswordBearer answers when no Bearer header is sent (capture 03). */
export const notAuthenticated = (): ApiError =>
  httpDetail(401, 'Not authenticated', { 'www-authenticate': 'Bearer' });

/** The catch-all `GET /api/{invalid_api_path:path}`: 404 with no body (API.md §2.5). */
export const notFoundNoBody = (): ApiError => new ApiError(404, undefined);

export interface ValidationIssue {
  /** e.g. ['body', 'stage'] or ['query', 'size'] or ['path', 'model_id'] */
  loc: Array<string | number>;
  msg: string;
  type: string;
  input?: unknown;
}

function pyValue(value: unknown): string {
  if (value === undefined || value === null) return 'None';
  if (typeof value === 'string') return pyRepr(value);
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return `[${value.map(pyValue).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${pyRepr(k)}: ${pyValue(v)}`)
      .join(', ')}}`;
  }
  return String(value);
}

/**
 * 422 request-validation error: ZenML's custom handler returns the bare array
 * `["ValueError", str(RequestValidationError)]`, not FastAPI's
 * `{"detail":[{loc,msg,type}]}` (API.md §9). The text imitates the Python
 * rendering of the error list; clients must not parse it.
 */
export function validationError(issues: ValidationIssue[]): ApiError {
  const lines = issues.map((i) => {
    const parts = [`'type': ${pyRepr(i.type)}`, `'loc': (${i.loc.map(pyValue).join(', ')}${i.loc.length === 1 ? ',' : ''})`, `'msg': ${pyRepr(i.msg)}`];
    if (i.input !== undefined) parts.push(`'input': ${pyValue(i.input)}`);
    return `  {${parts.join(', ')}}`;
  });
  const text = `${issues.length} validation error${issues.length === 1 ? '' : 's'}:\n${lines.join('\n')}`;
  return new ApiError(422, ['ValueError', text]);
}

/** Shorthand for one validation issue. */
export function invalid(loc: Array<string | number>, msg: string, type = 'value_error', input?: unknown): ApiError {
  return validationError([{ loc, msg, type, ...(input === undefined ? {} : { input }) }]);
}
