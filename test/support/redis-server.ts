import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { freePort } from './net.js';
export { freePort };

/**
 * A real, throwaway `redis-server` for the Redis tests: on a free loopback port, without persistence
 * (`--save '' --appendonly no`), stopped after. The tests never assume one is running. When the
 * binary is missing and the tests run as root on Debian, Debian's `redis-server` package is installed
 * with apt-get (progress on the terminal); otherwise the tests fail with what to install. Never a skip.
 */
const INSTALL_HINT = 'The Redis store tests need redis-server (Debian/Ubuntu: `apt-get install -y redis-server`), or REDIS_SERVER pointing at one.';

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findRedisServer(): string | undefined {
  if (process.env.REDIS_SERVER) {
    if (!isExecutable(process.env.REDIS_SERVER)) throw new Error(`REDIS_SERVER is set to ${process.env.REDIS_SERVER}, which is not an executable. ${INSTALL_HINT}`);
    return process.env.REDIS_SERVER;
  }
  for (const dir of [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/sbin', '/usr/local/bin']) {
    if (dir && isExecutable(join(dir, 'redis-server'))) return join(dir, 'redis-server');
  }
  return undefined;
}

function isDebianLike(): boolean {
  if (existsSync('/etc/debian_version')) return true;
  try {
    return /^ID(_LIKE)?=.*debian/m.test(readFileSync('/etc/os-release', 'utf8'));
  } catch {
    return false;
  }
}

/** apt-get under one machine-wide lock, so test workers that all miss redis-server install it once. */
function apt(args: string[]): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('flock', ['/tmp/understudy-redis-install.lock', 'apt-get', '-o', 'DPkg::Lock::Timeout=300', ...args], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    child.on('error', () => resolve(false));
    child.on('exit', (code) => resolve(code === 0));
  });
}

let located: Promise<string> | undefined;

export function ensureRedisServer(): Promise<string> {
  located ??= (async () => {
    const found = findRedisServer();
    if (found) return found;
    const root = typeof process.getuid === 'function' && process.getuid() === 0;
    if (!root || !isDebianLike()) throw new Error(`No redis-server found on PATH. ${INSTALL_HINT}`);
    process.stderr.write('[redis] No redis-server found: installing Debian\'s "redis-server" package with apt-get (once, about 5 s)…\n');
    const started = Date.now();
    // Another worker may have installed it while this one waited for the lock; then nothing is done.
    if (!findRedisServer() && !(await apt(['install', '-y', '--no-install-recommends', 'redis-server']))) {
      await apt(['update']);
      if (!(await apt(['install', '-y', '--no-install-recommends', 'redis-server']))) throw new Error(`apt-get install redis-server failed. ${INSTALL_HINT}`);
    }
    const installed = findRedisServer();
    if (!installed) throw new Error(`apt-get installed redis-server but no executable was found afterwards. ${INSTALL_HINT}`);
    process.stderr.write(`[redis] Installed ${installed} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    return installed;
  })();
  return located;
}


function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.end('PING\r\n');
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface RedisServer {
  url: string;
  port: number;
  /** Stops it (SIGKILL: an outage, not a shutdown) and waits until it is gone. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export async function startRedisServer(): Promise<RedisServer> {
  const binary = await ensureRedisServer();
  const port = await freePort();
  let child: ChildProcess | undefined;
  let output = '';

  const start = async (): Promise<void> => {
    output = '';
    const proc = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    running.add(proc);
    proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    proc.once('exit', () => running.delete(proc));
    const deadline = Date.now() + 10_000;
    while (!(await acceptsConnections(port))) {
      if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`redis-server did not start on port ${port}:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };
  const stop = async (): Promise<void> => {
    const proc = child;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGKILL');
    await exited;
  };

  await start();
  return { url: `redis://127.0.0.1:${port}/0`, port, stop, start };
}

