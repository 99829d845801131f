/**
 * The real Cloud Storage emulator (the one inside firebase-tools), started in-process by the tests.
 *
 * `firebase emulators:start` needs Java 21+ and downloads a rules JAR, so we start only its HTTP
 * server: a subclass of `StorageEmulator` whose start/stop skip the rules runtime and listen on an
 * ephemeral port on 127.0.0.1 (see /work/shared/notes/test-peers.md). No Java, no network.
 *
 * This reaches into firebase-tools internals (lib/emulator/...), which is why the root package.json
 * pins firebase-tools to an exact version.
 *
 * Known gaps of the emulator (beyond a real bucket): `ifGenerationMatch` is ignored, bucket create
 * fails (buckets appear on first write), `bucket.exists()` is always false, resumable uploads split
 * with `chunkSize` hang, simple uploads above ~130 MB get 413 (resumable upload bodies are also
 * buffered in memory, up to 130 MB).
 *
 * One gap is bridged here: the emulator registers object PATCH (`file.setMetadata`) and
 * `rewriteTo`/`copyTo` (`file.copy`) only without the `/storage/v1` path prefix that
 * @google-cloud/storage sends, and answers 501 to those. Every other JSON-API route is registered
 * both ways, so the server below strips `/storage/v1` from request paths before the app sees them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface GcsEmulator {
  /** `http://127.0.0.1:PORT`: give it to @google-cloud/storage as `apiEndpoint` or STORAGE_EMULATOR_HOST. */
  host: string;
  projectId: string;
  stop(): Promise<void>;
}

// ---- The minimal shapes of the firebase-tools internals we use (it is CommonJS with no types). ----

interface EmulatorInfo {
  name: string;
  host: string;
  port: number;
}

interface StorageEmulatorArgs {
  projectId: string;
  host?: string;
  port?: number;
  rules: unknown[];
  auto_download?: boolean;
}

/** The part of firebase-tools' StorageEmulator we call or override. */
interface StorageEmulatorInstance {
  getName(): string;
  getInfo(): EmulatorInfo;
  start(): Promise<void>;
  stop(): Promise<void>;
  getPersistenceTmpDir(): string;
  reset(): void;
}

type StorageEmulatorClass = new (args: StorageEmulatorArgs) => StorageEmulatorInstance;

/** An express app is a request listener. */
type ExpressApp = (req: IncomingMessage, res: ServerResponse) => void;

interface StorageModule {
  StorageEmulator: StorageEmulatorClass;
}
interface ServerModule {
  createApp(projectId: string, emulator: StorageEmulatorInstance): Promise<ExpressApp>;
}
interface RegistryModule {
  EmulatorRegistry: {
    start(instance: StorageEmulatorInstance): Promise<void>;
    stop(name: string): Promise<void>;
    isRunning(name: string): boolean;
  };
}
interface EmulatorLoggerModule {
  EmulatorLogger: { setVerbosity(v: number): void };
  Verbosity: { SILENT: number };
}

const require = createRequire(import.meta.url);
const base = 'firebase-tools/lib/emulator';

const PROJECT_ID = 'demo-test';

/**
 * Starts the Cloud Storage emulator on 127.0.0.1 with an ephemeral port. One per process (the
 * firebase-tools registry is a singleton); jest runs each test file in its own module registry.
 */
export async function startGcsEmulator(): Promise<GcsEmulator> {
  const { StorageEmulator } = require(`${base}/storage`) as StorageModule;
  const { createApp } = require(`${base}/storage/server`) as ServerModule;
  const { EmulatorRegistry } = require(`${base}/registry`) as RegistryModule;
  const { EmulatorLogger, Verbosity } = require(`${base}/emulatorLogger`) as EmulatorLoggerModule;
  EmulatorLogger.setVerbosity(Verbosity.SILENT);
  if (EmulatorRegistry.isRunning('storage')) {
    throw new Error('a storage emulator is already running in this process; stop it first');
  }

  // The stock persistence dir (os.tmpdir()/firebase/storage/blobs) is shared by every emulator on
  // the machine and deleted on stop, so two test files running in parallel would delete each
  // other's blobs. Give each instance its own. (A closure, not a field: the base constructor calls
  // getPersistenceTmpDir() before subclass fields exist.)
  const blobDir = mkdtempSync(join(tmpdir(), 'gcs-emulator-'));

  class InProcessStorageEmulator extends StorageEmulator {
    server: Server | undefined;
    sockets = new Set<Socket>();
    port = 0;

    override getPersistenceTmpDir(): string {
      return blobDir;
    }

    override getInfo(): EmulatorInfo {
      return { name: this.getName(), host: '127.0.0.1', port: this.port };
    }

    /** Only the HTTP server: no rules runtime (Java), no download. */
    override async start(): Promise<void> {
      const app = await createApp(PROJECT_ID, this);
      const server = createServer((req, res) => {
        if (req.url?.startsWith('/storage/v1/')) req.url = req.url.slice('/storage/v1'.length);
        app(req, res);
      });
      server.on('connection', (s: Socket) => {
        this.sockets.add(s);
        s.once('close', () => this.sockets.delete(s));
      });
      this.server = server;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
      this.port = (server.address() as AddressInfo).port;
    }

    override async stop(): Promise<void> {
      const server = this.server;
      this.server = undefined;
      if (server) {
        // Keep-alive sockets from the client would hold close() open: end them.
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const s of this.sockets) s.destroy();
        await closed;
      }
      rmSync(blobDir, { recursive: true, force: true });
    }
  }

  const emu = new InProcessStorageEmulator({ projectId: PROJECT_ID, host: '127.0.0.1', rules: [], auto_download: false });
  try {
    await EmulatorRegistry.start(emu);
  } catch (e) {
    await EmulatorRegistry.stop(emu.getName()).catch(() => undefined);
    await emu.stop();
    throw e;
  }
  let stopped = false;
  return {
    host: `http://127.0.0.1:${emu.getInfo().port}`,
    projectId: PROJECT_ID,
    async stop() {
      if (stopped) return;
      stopped = true;
      // The registry's stop swallows errors; stop the instance directly afterwards (idempotent)
      // so that a failure to close is seen by the test.
      await EmulatorRegistry.stop(emu.getName());
      await emu.stop();
    },
  };
}
