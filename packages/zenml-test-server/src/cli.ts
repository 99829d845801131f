/**
 * Runs a test server from the command line (the local demo uses it):
 *
 *   npx tsx packages/zenml-test-server/src/cli.ts --port 8237 --mode pro --name production
 *
 * Prints one JSON line `{"url": …, "apiKey": …}` on stdout, then stays up
 * until SIGINT/SIGTERM. Options: --port N, --mode oss|pro, --name NAME,
 * --version X.Y.Z, --token-ttl SECONDS|none, --auto-progress s1,s2,… (status
 * schedule per poll for triggered runs).
 */
import { startTestServer } from './index.js';
import type { TestServerOptions } from './index.js';

function parseArgs(argv: string[]): TestServerOptions {
  const opts: TestServerOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`missing value for ${flag}`);
      return v;
    };
    switch (flag) {
      case '--port': {
        const n = Number(value());
        if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error('--port must be an integer 0-65535');
        opts.port = n;
        break;
      }
      case '--mode': {
        const m = value();
        if (m !== 'oss' && m !== 'pro') throw new Error('--mode must be oss or pro');
        opts.mode = m;
        break;
      }
      case '--name':
        opts.name = value();
        break;
      case '--version':
        opts.version = value();
        break;
      case '--token-ttl': {
        const v = value();
        opts.tokenTtlSeconds = v === 'none' ? null : Number(v);
        if (opts.tokenTtlSeconds !== null && !Number.isInteger(opts.tokenTtlSeconds)) throw new Error('--token-ttl must be seconds or none');
        break;
      }
      case '--auto-progress':
        opts.autoProgress = value().split(',').map((s) => s.trim()).filter(Boolean);
        break;
      case '--help':
      case '-h':
        process.stderr.write('usage: cli.ts [--port N] [--mode oss|pro] [--name NAME] [--version V] [--token-ttl S|none] [--auto-progress s1,s2,...]\n');
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${flag}`);
    }
  }
  return opts;
}

async function main(): Promise<void> {
  let opts: TestServerOptions;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`zenml-test-server: ${(e as Error).message}\n`);
    process.exit(2);
  }
  const server = await startTestServer(opts);
  process.stdout.write(`${JSON.stringify({ url: server.url, apiKey: server.apiKey })}\n`);
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

void main();
