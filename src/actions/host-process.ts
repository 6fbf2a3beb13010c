import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The operating-system side of an action's process: how it is started (Node's permission model,
 * reads only of the host file, the export's node_modules and the local CA; no environment), how its
 * resident memory is read, and how many console lines a second it may send.
 */
const HOST_FILE = fileURLToPath(new URL('./actions-host.cjs', import.meta.url));
const PAGE_SIZE = 4096;

/** Node 20 names the permission model experimental; 22.13 and later accept `--permission`. */
function permissionFlag(): string {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 13) ? '--permission' : '--experimental-permission';
}

export function forkHost(requireFrom: string, caFile: string | undefined): ChildProcess {
  const modules = join(requireFrom, 'node_modules');
  const readable = [HOST_FILE, ...(caFile ? [caFile] : []), ...(existsSync(modules) ? [modules] : [])];
  return fork(HOST_FILE, [], {
    execArgv: [permissionFlag(), ...readable.map((path) => `--allow-fs-read=${path}`), '--no-warnings', '--max-old-space-size=128'],
    // Nothing of the server's environment: its secrets stay out of reach of the action's code.
    env: caFile ? { NODE_EXTRA_CA_CERTS: caFile } : {},
    cwd: dirname(HOST_FILE),
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    serialization: 'json',
  });
}

/**
 * Calls `over(rss)` once a second while the process's resident memory (from /proc, Linux only; Buffers
 * do not escape it as they escape V8's heap limit) is past `limitMb`. Returns the timer to clear.
 */
export function watchResidentMemory(host: ChildProcess, limitMb: number, over: (megabytes: number) => void): NodeJS.Timeout | undefined {
  if (!existsSync('/proc/self/statm') || host.pid === undefined) return undefined;
  const statm = `/proc/${host.pid}/statm`;
  const timer = setInterval(() => {
    let rss: number;
    try {
      rss = Number(readFileSync(statm, 'utf8').split(' ')[1]) * PAGE_SIZE;
    } catch {
      return;
    }
    if (rss > limitMb * 1024 * 1024) over(Math.round(rss / 1048576));
  }, 1000);
  timer.unref();
  return timer;
}

/** At most `perSecond` lines a second pass; the rest are counted, and the count reported once the second is over. */
export class LineRate {
  private window = { second: 0, lines: 0, dropped: 0 };

  constructor(
    private readonly perSecond: number,
    private readonly dropped: (count: number) => void,
  ) {}

  admits(now = Date.now()): boolean {
    const second = Math.floor(now / 1000);
    if (this.window.second !== second) {
      if (this.window.dropped) this.dropped(this.window.dropped);
      this.window = { second, lines: 0, dropped: 0 };
    }
    if (this.window.lines >= this.perSecond) {
      this.window.dropped += 1;
      return false;
    }
    this.window.lines += 1;
    return true;
  }
}
