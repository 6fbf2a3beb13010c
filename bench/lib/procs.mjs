// Child processes of the benchmark: every server is spawned here, tracked, and killed by its pid at the
// end, on failure and on Ctrl-C. Nothing is ever killed by name.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';

const children = new Set();

/** A free loopback port: bind port 0, read it, release it. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Spawns `node <args>` (never through a shell or npm, so the pid is the server's own) with stdout
 * discarded (servers that log per request write to /dev/null, as they would in a quiet CI job) and the
 * last few kB of stderr kept for error messages. With `ownProcessGroup` the child leads a process group
 * of its own and every signal goes to the whole group, so what it started (`npm start`'s esbuild
 * service, say) stops with it.
 */
export function spawnNode(name, args, { env = {}, cwd, keepStdout = false, ownProcessGroup = false } = {}) {
  const child = spawn(process.execPath, args, {
    cwd,
    env: { ...process.env, NODE_ENV: 'production', ...env },
    stdio: ['ignore', keepStdout ? 'pipe' : 'ignore', 'pipe'],
    detached: ownProcessGroup,
  });
  let stderr = '';
  let stdout = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  if (keepStdout) {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      stdout = (stdout + chunk).slice(-20000);
    });
  }
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const handle = {
    name,
    child,
    pid: child.pid,
    exited,
    get stderr() {
      return stderr;
    },
    get stdout() {
      return stdout;
    },
    alive: () => child.exitCode === null && child.signalCode === null,
    kill(signal) {
      if (!ownProcessGroup) return child.kill(signal);
      try {
        process.kill(-child.pid, signal);
      } catch {
        // The group is gone already.
      }
    },
    async stop() {
      if (handle.alive()) {
        handle.kill('SIGTERM');
        const done = await Promise.race([exited.then(() => true), sleep(3000).then(() => false)]);
        if (!done && handle.alive()) {
          handle.kill('SIGKILL');
          await exited;
        }
      }
      // Whatever of the group outlived its leader.
      if (ownProcessGroup) handle.kill('SIGKILL');
      children.delete(handle);
    },
  };
  children.add(handle);
  child.once('exit', () => children.delete(handle));
  return handle;
}

/** Tracks a child spawned elsewhere (the AuthHero npm install) so Ctrl-C and the exit hook stop it too. */
export function track(name, child) {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const handle = {
    name,
    child,
    pid: child.pid,
    alive: () => child.exitCode === null && child.signalCode === null,
    kill: (signal) => child.kill(signal),
    async stop() {
      if (handle.alive()) {
        child.kill('SIGTERM');
        await Promise.race([exited, sleep(3000)]);
        if (handle.alive()) child.kill('SIGKILL');
      }
      children.delete(handle);
    },
  };
  children.add(handle);
  child.once('exit', () => children.delete(handle));
  return handle;
}

export async function stopAll() {
  await Promise.all([...children].map((c) => c.stop()));
}

// Last resort: whatever is still running when the bench exits (normally or by an uncaught error) dies with it.
process.on('exit', () => {
  for (const c of children) if (c.alive()) c.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    process.stderr.write(`\n${signal}: stopping ${children.size} server(s)\n`);
    stopAll().finally(() => process.exit(130));
  });
}

const MIB_TO_MB = 1.048576; // MiB → MB (10^6 bytes), the unit of the targets

/** VmRSS of a process, in MB (from /proc; undefined when the process is gone or /proc is missing). */
export function rssMB(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? (Number(m[1]) / 1024) * MIB_TO_MB : undefined;
  } catch {
    return undefined;
  }
}

/** CPU time (user + system, all threads) a process has used so far, in ms (10 ms resolution). */
export function cpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/**
 * Polls `url` until it answers 200 (every `intervalMs`, at most `timeoutMs`); resolves with
 * performance.now() at the moment the 200 arrived. Fails early when the process died.
 */
export async function waitFor200(url, handle, { timeoutMs = 20_000, intervalMs = 2 } = {}) {
  const deadline = performance.now() + timeoutMs;
  let last = '';
  while (performance.now() < deadline) {
    if (handle && !handle.alive()) throw new Error(`${handle.name} exited before answering ${url}: ${handle.stderr.trim().slice(-1500)}`);
    try {
      const res = await request(url, { headersTimeout: 5000, bodyTimeout: 5000 });
      const body = await res.body.text();
      if (res.statusCode === 200) return { at: performance.now(), body };
      last = `HTTP ${res.statusCode}`;
    } catch (err) {
      last = err.code ?? err.message;
    }
    await sleep(intervalMs);
  }
  throw new Error(`${handle?.name ?? url} did not answer 200 within ${timeoutMs} ms (last: ${last}). stderr: ${handle?.stderr.trim().slice(-1500) ?? ''}`);
}
