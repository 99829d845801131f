"use strict";
exports.id = 820;
exports.ids = [820];
exports.modules = {

/***/ 9820:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  downloadManifestArtifact: () => (/* binding */ downloadManifestArtifact)
});

// UNUSED EXPORTS: isManifestUri, scrubArtifactMessage, uploadManifestArtifact

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: ./packages/core/src/errors.ts
var errors = __webpack_require__(7638);
// EXTERNAL MODULE: ./packages/core/src/zenml/retry.ts
var retry = __webpack_require__(3012);
;// CONCATENATED MODULE: ./packages/core/src/handoff/runtime.ts
/**
 * What a job needs to talk to the GitHub Actions artifact service (v4, the "results" service),
 * read from the runner's environment: where the service is, the bearer token, and the backend ids
 * of this run and job, which every request names.
 */

/**
 * The runtime of this job, or one InputError line on `input` saying why the artifact service
 * cannot be used from here. The caller has already checked that both variables are set.
 */
function readArtifactRuntime(input, env = process.env) {
    if (isGhes(env.GITHUB_SERVER_URL)) {
        throw new errors/* InputError */.dz(input, 'workflow artifacts of the v4 artifact service are not supported on GitHub Enterprise Server (GITHUB_SERVER_URL is not github.com)');
    }
    const token = env.ACTIONS_RUNTIME_TOKEN ?? '';
    let origin;
    try {
        origin = new URL(env.ACTIONS_RESULTS_URL ?? '').origin;
    }
    catch {
        throw new errors/* InputError */.dz(input, 'ACTIONS_RESULTS_URL is not a URL, so the artifact service cannot be reached (it is set by the runner: is this a GitHub Actions job?)');
    }
    const ids = resultsScope(token);
    if (!ids) {
        // The token itself stays out of the message: it is a credential even when malformed.
        throw new errors/* InputError */.dz(input, "the job's runtime token (ACTIONS_RUNTIME_TOKEN) grants no Actions.Results scope, so the artifact service cannot be used from this job (the token is set by the runner: is this a GitHub Actions job on github.com?)");
    }
    return { token, origin, ...ids };
}
/**
 * The run and job ids from the token's `scp` claim (`Actions.Results:<run>:<job>`). The token is
 * decoded, never verified: verifying it is the service's business, and we hold no key.
 */
function resultsScope(token) {
    let scp;
    try {
        const payload = token.split('.')[1] ?? '';
        scp = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')).scp;
    }
    catch {
        return undefined;
    }
    if (typeof scp !== 'string')
        return undefined;
    for (const scope of scp.split(/\s+/)) {
        const [kind, run, job, ...rest] = scope.split(':');
        if (kind === 'Actions.Results' && run && job && rest.length === 0)
            return { runBackendId: run, jobBackendId: job };
    }
    return undefined;
}
/** Anything but github.com and GitHub Enterprise Cloud with data residency (`*.ghe.com`) is GHES, which has no v4 artifact service. */
function isGhes(serverUrl) {
    if (!serverUrl)
        return false; // the runner always sets it; unset means a local run that targets github.com
    let host;
    try {
        host = new URL(serverUrl).hostname.toLowerCase();
    }
    catch {
        return true;
    }
    return !(host === 'github.com' || host.endsWith('.ghe.com'));
}

;// CONCATENATED MODULE: ./packages/core/src/handoff/scrub.ts
/**
 * One line from an artifact service or blob store error message, safe to print: the first
 * non-empty line (a service message may run on), URLs without their query string or
 * fragment (a signed blob URL's SAS is its query), any stray `sig=` value, and the given secrets
 * (the runtime token) replaced by `***`.
 */
function scrubArtifactMessage(message, secrets = []) {
    let line = message.split(/\r?\n/).map((l) => l.trim()).find((l) => l !== '') ?? 'no message';
    for (const s of secrets)
        if (s && s.length >= 8)
            line = line.split(s).join('***');
    line = line.replace(/\b([a-z][a-z0-9+.-]*:\/\/[^\s?#"'<>]*)[?#][^\s"'<>]*/gi, '$1');
    line = line.replace(/\bsig=[^&\s"'<>]+/gi, 'sig=***');
    return line.length > 400 ? `${line.slice(0, 400)}…` : line;
}

// EXTERNAL MODULE: ./packages/core/src/action/runner-protocol.ts
var runner_protocol = __webpack_require__(6826);
// EXTERNAL MODULE: ./packages/core/src/net/fetch.ts + 6 modules
var fetch = __webpack_require__(3197);
;// CONCATENATED MODULE: ./packages/core/src/handoff/transport.ts
/**
 * One HTTP exchange with the artifact service or its blob store, retried on transient failures
 * (5xx, 429, network) with the suite's retry decisions (zenml/retry.ts). zenml/http.ts is not
 * reused: its errors speak of the ZenML server, and its re-send rules are keyed to ZenML paths.
 * Every body here is small (twirp JSON, one manifest), so each answer is read whole inside the
 * attempt, which makes a connection cut mid-body a retryable failure like any other.
 */


/**
 * Shorter than the ZenML client's policy: a job waits on this with nothing else to do, and the
 * service is either up or in an outage no retry rides out. MLOPS_ACTIONS_RETRY_DEADLINE and
 * MLOPS_ACTIONS_REQUEST_TIMEOUT apply here too.
 */
const ARTIFACT_RETRY = { baseMs: 500, capMs: 8_000, maxAttempts: 5, attemptTimeoutMs: 30_000, deadlineMs: 60_000 };
/** No answer at all: the request never completed, not even after the retries. */
class NoAnswerError extends Error {
    reason;
    attempts;
    constructor(
    /** A network code (ECONNREFUSED) or a short description; never a URL. */
    reason, attempts, options) {
        super(reason, options);
        this.reason = reason;
        this.attempts = attempts;
        this.name = 'NoAnswerError';
    }
}
/**
 * Sends the request, retrying while the policy allows, and returns the last answer (possibly an
 * error status: what it means is the caller's business). `what` names the operation in retry
 * notices (`CreateArtifact`, `blob upload`).
 */
async function send(what, url, init, opts = {}) {
    const policy = (0,retry/* resolveRetryOptions */.Lu)({ ...ARTIFACT_RETRY, ...(0,retry/* retryOptionsFromEnv */.gJ)(), ...opts.retry });
    const clock = opts.clock ?? retry/* systemClock */.ml;
    const startedAt = clock.now();
    for (let attempt = 0;; attempt++) {
        let reason;
        let retryAfterMs;
        let answer;
        let failure;
        try {
            // Not Node's fetch: its first use loads undici, ~45 ms of the action's start (net/fetch.ts).
            const res = await (0,fetch/* liteFetch */.t)(url, { ...init, signal: AbortSignal.timeout(Math.max(1, policy.attemptTimeoutMs)) });
            answer = { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()), attempts: attempt + 1 };
            if (!isRetryableStatus(res.status))
                return answer;
            reason = `HTTP ${res.status}`;
            retryAfterMs = (0,retry/* parseRetryAfter */.mu)(res.headers.get('retry-after'), clock.now());
        }
        catch (err) {
            failure = err;
            const code = timedOut(err) ? retry/* ATTEMPT_TIMEOUT_CODE */.sI : (0,retry/* networkErrorCode */.a0)(err);
            reason = code === retry/* ATTEMPT_TIMEOUT_CODE */.sI ? `no response within ${(0,retry/* formatSeconds */.Xo)(policy.attemptTimeoutMs)}` : (code ?? describe(err));
            if (code === undefined || !retry/* RETRYABLE_NETWORK_CODES */.FS.has(code))
                throw new NoAnswerError(reason, attempt + 1, { cause: err });
        }
        const decision = (0,retry/* decideRetry */.tE)({ attempt, startedAt, now: clock.now(), opts: policy, random: clock.random, retryAfterMs });
        if (!decision.retry) {
            if (answer)
                return answer;
            throw new NoAnswerError(reason, attempt + 1, { cause: failure });
        }
        opts.onRetry?.(what, reason, attempt + 1, decision.delayMs);
        await clock.sleep(decision.delayMs);
    }
}
/** Every 5xx (twirp's `internal` and `unavailable` included) and 429: the request was not served. */
function isRetryableStatus(status) {
    return status === 429 || (status >= 500 && status <= 599);
}
/** Duck-typed: under test runners the error may come from another realm, where instanceof fails. */
function timedOut(err) {
    return err?.name === 'TimeoutError';
}
/** undici hides the reason for refusing a URL (a "bad port") in `cause`; the URL itself is left out. */
function describe(err) {
    const e = err;
    const text = typeof e?.cause?.message === 'string' ? e.cause.message : typeof e?.message === 'string' ? e.message : String(err);
    return `network error: ${text.split('\n')[0]}`;
}

;// CONCATENATED MODULE: ./packages/core/src/handoff/service.ts
/**
 * A small client for the GitHub Actions artifact service (v4): the twirp JSON API for the
 * records, and the Azure blob signed URLs it hands out for the bytes. Only what the manifest
 * hand-off needs; the protocol facts are in /work/shared/notes/test-peers.md.
 *
 * Written on `fetch` rather than on GitHub's artifact library, whose Azure SDK, archiver and
 * undici made each action's bundle 5 MB larger for one small JSON file (issue 8).
 */


const SERVICE_PATH = '/twirp/github.actions.results.api.v1.ArtifactService/';
/** A failed call: `line` is one line for the user (no URL, no token); `code` is twirp's, when it sent one. */
class service_ArtifactServiceError extends Error {
    line;
    attempts;
    code;
    serviceMessage;
    constructor(line, attempts, code, serviceMessage) {
        super(line);
        this.line = line;
        this.attempts = attempts;
        this.code = code;
        this.serviceMessage = serviceMessage;
        this.name = 'ArtifactServiceError';
    }
}
class ArtifactServiceClient {
    rt;
    transport;
    constructor(rt, transport = {}) {
        this.rt = rt;
        this.transport = transport;
    }
    /** Artifacts of this run with exactly this name (finalized ones: the service shows no others). */
    async list(name) {
        const res = await this.call('ListArtifacts', { name_filter: name });
        const raw = Array.isArray(res.artifacts) ? res.artifacts : [];
        return raw
            .map((a) => {
            const out = { id: Number(a.database_id), name: String(a.name ?? ''), size: Number(a.size ?? 0), createdAt: String(a.created_at ?? '') };
            if (typeof a.digest === 'string' && a.digest)
                out.digest = a.digest.startsWith('sha256:') ? a.digest : `sha256:${a.digest}`;
            return out;
        })
            .filter((a) => a.name === name && Number.isSafeInteger(a.id));
    }
    /** Starts an artifact; returns the signed URL to PUT its one blob to. */
    async create(name, mimeType, expiresAt) {
        const res = await this.call('CreateArtifact', {
            name,
            version: 7,
            mime_type: mimeType,
            ...(expiresAt ? { expires_at: expiresAt.toISOString() } : {}),
        });
        if (res.ok !== true || typeof res.signed_upload_url !== 'string')
            throw this.refused('CreateArtifact');
        return maskSignature(res.signed_upload_url);
    }
    /** Makes the uploaded blob a visible artifact; returns its id. */
    async finalize(name, size, digest) {
        const res = await this.call('FinalizeArtifact', { name, size: String(size), hash: digest });
        if (res.ok !== true)
            throw this.refused('FinalizeArtifact');
        const id = Number(res.artifact_id);
        return Number.isSafeInteger(id) && res.artifact_id !== undefined ? id : undefined;
    }
    async signedDownloadUrl(name) {
        const res = await this.call('GetSignedArtifactURL', { name });
        if (typeof res.signed_url !== 'string' || !res.signed_url)
            throw this.refused('GetSignedArtifactURL');
        return maskSignature(res.signed_url);
    }
    async delete(name) {
        await this.call('DeleteArtifact', { name });
    }
    /**
     * The bytes as one Put Blob: a manifest is far below the single-request limit, so the block
     * list dance that large uploads need buys nothing here.
     */
    async putBlob(url, body, contentType) {
        const ans = await this.sendOrFail('upload the artifact to blob storage', 'blob upload', url, {
            method: 'PUT',
            headers: { 'x-ms-blob-type': 'BlockBlob', 'content-type': contentType },
            body,
        });
        if (ans.status < 200 || ans.status > 299)
            throw blobError('upload the artifact to blob storage', ans);
    }
    async getBlob(url) {
        const ans = await this.sendOrFail('download the artifact from blob storage', 'blob download', url, { method: 'GET', headers: {} });
        if (ans.status !== 200)
            throw blobError('download the artifact from blob storage', ans);
        return { bytes: ans.bytes, contentType: ans.headers.get('content-type') ?? '' };
    }
    async call(method, fields) {
        const body = JSON.stringify({ workflow_run_backend_id: this.rt.runBackendId, workflow_job_run_backend_id: this.rt.jobBackendId, ...fields });
        const ans = await this.sendOrFail(method, method, `${this.rt.origin}${SERVICE_PATH}${method}`, {
            method: 'POST',
            headers: { authorization: `Bearer ${this.rt.token}`, 'content-type': 'application/json', accept: 'application/json' },
            body,
        });
        const parsed = parseJson(ans.bytes);
        if (ans.status >= 200 && ans.status <= 299) {
            if (parsed === undefined)
                throw new service_ArtifactServiceError(`Failed to ${method}: the service answered ${ans.status} with no JSON object`, ans.attempts);
            return parsed;
        }
        // Twirp errors are `{code, msg}`; a proxy in the way may answer with anything.
        const code = typeof parsed?.code === 'string' ? parsed.code : undefined;
        const msg = typeof parsed?.msg === 'string' ? parsed.msg : undefined;
        const detail = [code, msg].filter(Boolean).join(': ') || 'no error message';
        throw new service_ArtifactServiceError(`Failed to ${method}: HTTP ${ans.status} ${detail}`, ans.attempts, code, msg);
    }
    /** `what` goes into the error line ("Failed to <what>"), `label` into retry notices. */
    async sendOrFail(what, label, url, init) {
        try {
            return await send(label, url, init, this.transport);
        }
        catch (e) {
            if (e instanceof NoAnswerError)
                throw new service_ArtifactServiceError(`Failed to ${what}: Unable to make request: ${e.reason}`, e.attempts);
            throw e;
        }
    }
    refused(method) {
        return new service_ArtifactServiceError(`Failed to ${method}: the service did not accept the request (its answer lacks ok or the URL)`, 1);
    }
}
function parseJson(bytes) {
    try {
        const v = JSON.parse(bytes.toString('utf8'));
        return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
    }
    catch {
        return undefined;
    }
}
/**
 * Azure answers errors with XML whose <Code> names the problem (AuthenticationFailed,
 * BlobNotFound). Its <Message> is left out: for a signature failure it can echo the signed string.
 */
function blobError(what, ans) {
    const code = ans.headers.get('x-ms-error-code') ?? /<Code>([^<]{1,100})<\/Code>/.exec(ans.bytes.toString('utf8'))?.[1];
    return new service_ArtifactServiceError(`Failed to ${what}: HTTP ${ans.status}${code ? ` ${code}` : ''}`, ans.attempts, code);
}
/**
 * A signed URL's `sig` is a credential for the blob. None of our lines print a URL, but the
 * runner masks it too, in case anything below us ever does (as GitHub's artifact library does).
 */
function maskSignature(url) {
    try {
        const sig = new URL(url).searchParams.get('sig');
        if (sig) {
            runner_protocol/* runnerRuntime */.V.setSecret(sig);
            const encoded = encodeURIComponent(sig);
            if (encoded !== sig)
                runner_protocol/* runnerRuntime */.V.setSecret(encoded);
        }
    }
    catch {
        // Not a URL: fetch will refuse it, and that error is scrubbed like any other.
    }
    return url;
}

// EXTERNAL MODULE: external "node:zlib"
var external_node_zlib_ = __webpack_require__(8522);
;// CONCATENATED MODULE: ./packages/core/src/handoff/zip.ts
/**
 * Just enough ZIP for the hand-off: write one small archive, and read the archives the service
 * holds — ours, and those GitHub's artifact library wrote for earlier versions of this action
 * (deflate with data descriptors). No ZIP64, no encryption: a manifest needs neither, and an
 * archive that uses them is refused rather than half-read.
 */

/** What is wrong with an archive; the caller words it for the user. */
class ZipFormatError extends Error {
    name = 'ZipFormatError';
}
const LOCAL = 0x04034b50;
const CENTRAL = 0x02014b50;
const END = 0x06054b50;
const UTF8_NAMES = 0x0800;
/** Far above any manifest; stops a crafted archive from inflating into the runner's memory. */
const MAX_TOTAL = 64 * 1024 * 1024;
function zip_writeZip(files, mtime = new Date()) {
    const { time, date } = dosDateTime(mtime);
    const locals = [];
    const centrals = [];
    let offset = 0;
    for (const f of files) {
        const name = Buffer.from(f.name, 'utf8');
        const packed = deflateRawSync(f.data);
        const crc = crc32(f.data);
        const local = Buffer.alloc(30);
        local.writeUInt32LE(LOCAL, 0);
        local.writeUInt16LE(20, 4); // version needed: deflate
        local.writeUInt16LE(UTF8_NAMES, 6);
        local.writeUInt16LE(8, 8); // method: deflate
        local.writeUInt16LE(time, 10);
        local.writeUInt16LE(date, 12);
        local.writeUInt32LE(crc, 14);
        local.writeUInt32LE(packed.length, 18);
        local.writeUInt32LE(f.data.length, 22);
        local.writeUInt16LE(name.length, 26);
        local.writeUInt16LE(0, 28);
        const central = Buffer.alloc(46);
        central.writeUInt32LE(CENTRAL, 0);
        central.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, so the mode below is read
        central.writeUInt16LE(20, 6);
        central.writeUInt16LE(UTF8_NAMES, 8);
        central.writeUInt16LE(8, 10);
        central.writeUInt16LE(time, 12);
        central.writeUInt16LE(date, 14);
        central.writeUInt32LE(crc, 16);
        central.writeUInt32LE(packed.length, 20);
        central.writeUInt32LE(f.data.length, 24);
        central.writeUInt16LE(name.length, 28);
        central.writeUInt32LE((0o100644 << 16) >>> 0, 38); // a regular file, rw-r--r--
        central.writeUInt32LE(offset, 42);
        locals.push(local, name, packed);
        centrals.push(central, name);
        offset += local.length + name.length + packed.length;
    }
    const cd = Buffer.concat(centrals);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(END, 0);
    end.writeUInt16LE(files.length, 8);
    end.writeUInt16LE(files.length, 10);
    end.writeUInt32LE(cd.length, 12);
    end.writeUInt32LE(offset, 16);
    return Buffer.concat([...locals, cd, end]);
}
/**
 * Every entry, from the central directory (the local headers of a streamed archive carry no
 * sizes), each checked against its CRC. Entry names are returned as stored: the caller decides
 * where they may go.
 */
function readZip(buf) {
    const end = findEnd(buf);
    const count = buf.readUInt16LE(end + 10);
    const cdSize = buf.readUInt32LE(end + 12);
    const cdOffset = buf.readUInt32LE(end + 16);
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff)
        throw new ZipFormatError('ZIP64 archives are not supported');
    if (cdOffset + cdSize > end)
        throw new ZipFormatError('the central directory lies outside the archive');
    const entries = [];
    let total = 0;
    let p = cdOffset;
    for (let i = 0; i < count; i++) {
        need(buf, p, 46);
        if (buf.readUInt32LE(p) !== CENTRAL)
            throw new ZipFormatError('a central directory entry is corrupt');
        const madeBy = buf.readUInt16LE(p + 4) >> 8;
        const flags = buf.readUInt16LE(p + 8);
        const method = buf.readUInt16LE(p + 10);
        const crc = buf.readUInt32LE(p + 16);
        const packedSize = buf.readUInt32LE(p + 20);
        const size = buf.readUInt32LE(p + 24);
        const nameLen = buf.readUInt16LE(p + 28);
        const skip = nameLen + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32);
        const mode = buf.readUInt32LE(p + 38) >>> 16;
        const localAt = buf.readUInt32LE(p + 42);
        need(buf, p + 46, skip);
        const name = buf.subarray(p + 46, p + 46 + nameLen).toString(flags & UTF8_NAMES ? 'utf8' : 'latin1');
        p += 46 + skip;
        const type = madeBy === 3 ? mode & 0o170000 : 0;
        if (name.endsWith('/') || type === 0o040000) {
            entries.push({ name, kind: 'dir', data: Buffer.alloc(0) });
            continue;
        }
        if (type !== 0 && type !== 0o100000) {
            entries.push({ name, kind: 'other', data: Buffer.alloc(0) }); // a symlink, a device: never written out
            continue;
        }
        if (flags & 0x0001)
            throw new ZipFormatError(`${name} is encrypted`);
        if (size === 0xffffffff || packedSize === 0xffffffff)
            throw new ZipFormatError('ZIP64 archives are not supported');
        total += size;
        if (total > MAX_TOTAL)
            throw new ZipFormatError(`it unpacks to more than ${MAX_TOTAL} bytes`);
        const data = unpack(buf, localAt, packedSize, size, method, name);
        if (crc32(data) !== crc)
            throw new ZipFormatError(`${name} does not match its CRC-32`);
        entries.push({ name, kind: 'file', data });
    }
    return entries;
}
function unpack(buf, localAt, packedSize, size, method, name) {
    need(buf, localAt, 30);
    if (buf.readUInt32LE(localAt) !== LOCAL)
        throw new ZipFormatError(`the local header of ${name} is corrupt`);
    const start = localAt + 30 + buf.readUInt16LE(localAt + 26) + buf.readUInt16LE(localAt + 28);
    need(buf, start, packedSize);
    const packed = buf.subarray(start, start + packedSize);
    let data;
    if (method === 0)
        data = Buffer.from(packed);
    else if (method === 8) {
        try {
            // One byte of slack, so that data longer than declared is caught below instead of cut.
            data = (0,external_node_zlib_.inflateRawSync)(packed, { maxOutputLength: size + 1 });
        }
        catch {
            throw new ZipFormatError(`${name} does not inflate`);
        }
    }
    else
        throw new ZipFormatError(`${name} uses compression method ${method}, which is not supported`);
    if (data.length !== size)
        throw new ZipFormatError(`${name} is not the size its header declares`);
    return data;
}
/** The end-of-central-directory record: the last 22 bytes, unless an archive comment follows it. */
function findEnd(buf) {
    for (let p = buf.length - 22; p >= Math.max(0, buf.length - 22 - 0xffff); p--) {
        if (buf.readUInt32LE(p) === END)
            return p;
    }
    throw new ZipFormatError('it is not a ZIP archive');
}
function need(buf, at, len) {
    if (at + len > buf.length)
        throw new ZipFormatError('it is truncated');
}
function dosDateTime(d) {
    const year = Math.max(1980, d.getFullYear());
    return {
        time: (d.getHours() << 11) | (d.getMinutes() << 5) | (d.getSeconds() >> 1),
        date: ((year - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
    };
}
/** zlib.crc32 is newer than the oldest Node 20 a runner may have, so the table is built here. */
let table;
function crc32(data) {
    if (!table) {
        table = new Uint32Array(256);
        for (let n = 0; n < 256; n++) {
            let c = n;
            for (let k = 0; k < 8; k++)
                c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
            table[n] = c >>> 0;
        }
    }
    let crc = 0xffffffff;
    for (const byte of data)
        crc = table[(crc ^ byte) & 0xff] ^ (crc >>> 8);
    return (crc ^ 0xffffffff) >>> 0;
}

;// CONCATENATED MODULE: ./packages/core/src/handoff/unpack.ts
/**
 * Puts a downloaded artifact's files on disk, and lists them back. The archive comes from the
 * artifact service, i.e. from whoever could upload to this run: nothing in it may land outside
 * its folder, and nothing but plain files and folders is created.
 */




/** Unpacks the zip `bytes` of workflow artifact `name` into `dir` (which exists and is empty). */
async function unpackZip(bytes, dir, name) {
    let entries;
    try {
        entries = readZip(bytes);
    }
    catch (e) {
        if (e instanceof ZipFormatError)
            throw new errors/* IntegrityError */.cs(`Workflow artifact '${name}' is a zip archive this action cannot read: ${e.message}`);
        throw e;
    }
    const root = (0,external_node_path_.resolve)(dir);
    for (const entry of entries) {
        const target = (0,external_node_path_.resolve)(root, ...entry.name.split('/'));
        if (!isSafeEntryName(entry.name) || !(target + external_node_path_.sep).startsWith(root + external_node_path_.sep)) {
            throw new errors/* IntegrityError */.cs(`Workflow artifact '${name}' holds ${JSON.stringify(entry.name)}, a path outside its own folder`);
        }
        if (entry.kind === 'other')
            throw new errors/* IntegrityError */.cs(`Workflow artifact '${name}' holds ${entry.name}, which is not a regular file`);
        if (entry.kind === 'dir') {
            await (0,promises_.mkdir)(target, { recursive: true });
            continue;
        }
        await (0,promises_.mkdir)((0,external_node_path_.dirname)(target), { recursive: true });
        try {
            await (0,promises_.writeFile)(target, entry.data, { flag: 'wx' }); // 'wx': an archive naming one file twice is not silently resolved
        }
        catch (e) {
            if (e.code === 'EEXIST')
                throw new errors/* IntegrityError */.cs(`Workflow artifact '${name}' holds ${entry.name} more than once`);
            throw e;
        }
    }
}
/** Relative, `/`-separated, no `..`: what a zip entry name must be (the archive writer's own rules). */
function isSafeEntryName(n) {
    if (n === '' || n.startsWith('/') || n.includes('\\') || /^[A-Za-z]:/.test(n) || n.includes('\0'))
        return false;
    return !n.split('/').some((seg) => seg === '..');
}
/** Regular files under `dir`; anything else (a symlink, a device) is refused. */
async function listFiles(dir, name) {
    const out = [];
    const walk = async (d) => {
        for (const entry of await (0,promises_.readdir)(d)) {
            const p = (0,external_node_path_.join)(d, entry);
            const st = await (0,promises_.lstat)(p);
            if (st.isDirectory())
                await walk(p);
            else if (st.isFile())
                out.push(p);
            else
                throw new errors/* IntegrityError */.cs(`Workflow artifact '${name}' holds ${(0,external_node_path_.relative)(dir, p)}, which is not a regular file`);
        }
    };
    await walk(dir);
    return out.sort();
}

;// CONCATENATED MODULE: ./packages/core/src/handoff/index.ts
/**
 * The hand-off between the export job and the job behind the production approval: the manifest
 * travels as a workflow artifact of the same run, through the GitHub Actions artifact service (v4:
 * twirp API + Azure blob signed URLs), spoken directly by ./service.ts. Only the manifest travels
 * this way; the bundle's bytes stay in the exchange.
 */











/** Characters the artifact service refuses in an artifact name. */
const INVALID_NAME_CHARS = ['"', ':', '<', '>', '|', '*', '?', '\r', '\n', '\\', '/'];
const RUNTIME_HINT = 'ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL are not set';
/**
 * Uploads the manifest as a workflow artifact named `name`.
 *
 * When `name` ends in `.json` the artifact is the raw file (one JSON blob, viewable in the UI);
 * otherwise it is a zip holding `manifest.json`, so that the file a later job unpacks still ends
 * in `.json`. Both layouts are what earlier versions of this action uploaded, so the jobs on
 * either side of the hand-off may run different versions.
 */
async function uploadManifestArtifact(opts) {
    const { name, file } = opts;
    const log = opts.log ?? (() => undefined);
    requireRuntime('upload-manifest', 'needs the GitHub Actions runtime to upload the manifest as a workflow artifact');
    validateName('upload-manifest', name);
    if (opts.retentionDays !== undefined && !(Number.isInteger(opts.retentionDays) && opts.retentionDays >= 1)) {
        throw new InputError('upload-manifest', `retention days must be a whole number of days >= 1, got ${opts.retentionDays}`);
    }
    const raw = name.toLowerCase().endsWith('.json');
    let manifest;
    try {
        manifest = await readFile(file);
    }
    catch (e) {
        throw new InputError('upload-manifest', `cannot read the manifest file ${file}: ${e.code ?? String(e)}`);
    }
    return serviceCall('upload-manifest', async () => {
        const client = connect('upload-manifest', log);
        const body = raw ? manifest : writeZip([{ name: 'manifest.json', data: manifest }]);
        const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
        // Names are unique within a run, and a re-run job is the same run: replace what an earlier
        // attempt uploaded (the import side re-checks the manifest against the exchange anyway).
        const [earlier] = await client.list(name);
        if (earlier) {
            await ignoreNotFound(client.delete(name));
            log(`Deleted workflow artifact '${name}' (id ${earlier.id}) left by an earlier attempt of this run`);
        }
        log(`Uploading the manifest as workflow artifact '${name}' (${raw ? 'raw JSON' : 'zip holding manifest.json'})`);
        const uploadUrl = await client.create(name, raw ? 'application/json' : 'application/zip', expiry(opts.retentionDays, log));
        await client.putBlob(uploadUrl, body, raw ? 'application/json' : 'application/zip');
        const id = await client.finalize(name, body.length, digest);
        if (id === undefined)
            throw new TransientError(`Upload of workflow artifact '${name}' returned no artifact id`, 1);
        const ref = { name, id, size: body.length, digest };
        log(`Uploaded workflow artifact '${name}' (id ${ref.id}, ${ref.size} bytes, ${digest})`);
        return ref;
    });
}
/**
 * Finds the artifact `name` in the current workflow run, downloads it into a new directory under
 * `destDir` (checked against the digest the service recorded), and returns the path of the one
 * `.json` file it holds.
 */
async function downloadManifestArtifact(opts) {
    const { name } = opts;
    const log = opts.log ?? (() => undefined);
    requireRuntime('manifest', `'${name}' is taken as the name of a workflow artifact, which needs the GitHub Actions runtime; outside Actions give the manifest's URI or path (file://..., gs://..., /abs/path)`);
    validateName('manifest', name);
    const notFound = () => {
        throw new errors/* InputError */.dz('manifest', `no workflow artifact named '${name}' in this run; the export job must set upload-manifest: true (in the same workflow run), and the name given here must be the one it uploaded`);
    };
    const { artifact, blob } = await serviceCall('manifest', async () => {
        const client = connect('manifest', log);
        const artifact = latest(await client.list(name)) ?? notFound();
        log(`Downloading workflow artifact '${name}' (id ${artifact.id}, ${artifact.size} bytes)`);
        const blob = await client.getBlob(await client.signedDownloadUrl(name));
        return { artifact, blob };
    }, notFound);
    if (artifact.digest && `sha256:${(0,external_node_crypto_.createHash)('sha256').update(blob.bytes).digest('hex')}` !== artifact.digest.toLowerCase()) {
        throw new errors/* IntegrityError */.cs(`Workflow artifact '${name}' (id ${artifact.id}) does not match the digest recorded at upload (${artifact.digest})`);
    }
    await (0,promises_.mkdir)(opts.destDir, { recursive: true });
    const dir = await (0,promises_.mkdtemp)((0,external_node_path_.join)(opts.destDir, 'artifact-'));
    if (/\bzip\b/i.test(blob.contentType))
        await unpackZip(blob.bytes, dir, name);
    // A raw artifact is saved under its own name (which holds no path separator: validateName).
    else
        await (0,promises_.writeFile)((0,external_node_path_.join)(dir, /^\.*$/.test(name) ? 'artifact' : name), blob.bytes);
    const files = await listFiles(dir, name);
    const json = files.filter((f) => f.toLowerCase().endsWith('.json'));
    if (json.length !== 1) {
        const shown = files.map((f) => (0,external_node_path_.relative)(dir, f)).join(', ') || 'nothing';
        throw new errors/* IntegrityError */.cs(`Workflow artifact '${name}' should hold exactly one .json file (the manifest); it holds ${shown}`);
    }
    log(`Workflow artifact '${name}' downloaded: ${(0,external_node_path_.relative)(opts.destDir, json[0])}${artifact.digest ? ` (${artifact.digest} verified)` : ''}`);
    return json[0];
}

// ---------------------------------------------------------------------------------------------
function requireRuntime(input, what) {
    if (!process.env.ACTIONS_RUNTIME_TOKEN || !process.env.ACTIONS_RESULTS_URL) {
        throw new errors/* InputError */.dz(input, `${what} (${RUNTIME_HINT}: this runs only in a GitHub Actions job)`);
    }
}
function validateName(input, name) {
    if (!name.trim())
        throw new errors/* InputError */.dz(input, 'the workflow artifact name is empty');
    const bad = INVALID_NAME_CHARS.filter((c) => name.includes(c));
    if (bad.length > 0) {
        throw new errors/* InputError */.dz(input, `'${name.replace(/[\r\n]/g, ' ')}' is not a valid workflow artifact name: it contains ${bad.map((c) => JSON.stringify(c)).join(' ')}`);
    }
}
/** The client for this job, or one InputError line saying why this job cannot use the service. */
function connect(input, log) {
    return new ArtifactServiceClient(readArtifactRuntime(input), {
        onRetry: (what, reason, attempt, delayMs) => log(`GitHub artifact service: ${what} attempt ${attempt} failed (${reason}); retrying in ${(0,retry/* formatSeconds */.Xo)(delayMs)}`),
    });
}
/**
 * Runs calls to the service and turns a failure into one of our errors with one line that quotes
 * no token and no signed URL query string. The service's `not_found` goes to `onNotFound`.
 */
async function serviceCall(input, fn, onNotFound) {
    try {
        return await fn();
    }
    catch (e) {
        if ((0,errors/* isMlopsError */.s8)(e))
            throw e;
        const token = process.env.ACTIONS_RUNTIME_TOKEN;
        if (!(e instanceof service_ArtifactServiceError)) {
            throw new errors/* TransientError */.N_(`GitHub artifact service: ${scrubArtifactMessage(e instanceof Error ? e.message : String(e), [token])}`, 1);
        }
        const msg = scrubArtifactMessage(e.line, [token]);
        if (e.code === 'not_found' && onNotFound)
            return onNotFound();
        // The service refuses uploads past the repository's storage quota; no retry fixes that.
        if (e.code === 'resource_exhausted' || /insufficient usage|quota/i.test(e.serviceMessage ?? '')) {
            throw new errors/* InputError */.dz(input, `the repository's artifact storage quota is used up: ${msg}`);
        }
        throw new errors/* TransientError */.N_(`GitHub artifact service: ${msg}`, e.attempts);
    }
}
/** A delete that finds nothing is what we wanted (another attempt may have raced us to it). */
async function ignoreNotFound(p) {
    try {
        await p;
    }
    catch (e) {
        if (!(e instanceof ArtifactServiceError && e.code === 'not_found'))
            throw e;
    }
}
/** Names are unique in a run, but should a re-run ever leave two, the newest is the one to take. */
function latest(found) {
    return [...found].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id - a.id)[0];
}
/**
 * When the artifact expires. The repository caps retention (the runner says how in
 * GITHUB_RETENTION_DAYS); asking for more is lowered to the cap, as the service would refuse it.
 */
function expiry(days, log) {
    if (days === undefined)
        return undefined;
    const max = Number(process.env.GITHUB_RETENTION_DAYS);
    if (Number.isInteger(max) && max >= 1 && days > max) {
        log(`Retention of ${days} days is more than this repository allows; using ${max}`);
        days = max;
    }
    return new Date(Date.now() + days * 86_400_000);
}


/***/ })

};
;