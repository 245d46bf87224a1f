// PostgreSQL and Redis for the scale-out tests (issue 16): reachable on 127.0.0.1:5432 and
// 127.0.0.1:6379, as on CI's machine. When one is not reachable, the test command starts it when
// it is installed, installs Debian's package first when it is not and we are root (or have
// passwordless sudo), and otherwise stops with one line saying what to run.
//
//   node tools/services.mjs --ensure     used by `pnpm test` (tools/run-tests.mjs)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';

/** Where the tests expect each service (the tests read STEPGATE_TEST_PG_URL / STEPGATE_TEST_REDIS_URL). */
export const services = {
  postgres: {
    port: 5432,
    debianPackage: 'postgresql',
    help: 'PostgreSQL is not reachable on 127.0.0.1:5432: run "sudo apt-get install -y postgresql && sudo pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start" (trust auth for local connections, as on CI), or set STEPGATE_TEST_PG_URL.',
    installed: () => existsSync('/etc/postgresql') && readdirSync('/etc/postgresql').length > 0,
    start: () => {
      const version = readdirSync('/etc/postgresql').sort().at(-1);
      return [['pg_ctlcluster', '--skip-systemctl-redirect', version, 'main', 'start']];
    },
  },
  redis: {
    port: 6379,
    debianPackage: 'redis-server',
    help: 'Redis is not reachable on 127.0.0.1:6379: run "sudo apt-get install -y redis-server && redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save \'\' --appendonly no", or set STEPGATE_TEST_REDIS_URL.',
    installed: () => spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0,
    start: () => {
      mkdirSync('/var/lib/redis', { recursive: true });
      mkdirSync('/var/log/redis', { recursive: true });
      return [
        [
          'redis-server',
          '--daemonize',
          'yes',
          '--bind',
          '127.0.0.1',
          '-::1',
          '--port',
          '6379',
          '--save',
          '',
          '--appendonly',
          'no',
          '--dir',
          '/var/lib/redis',
          '--logfile',
          '/var/log/redis/ci.log',
        ],
      ];
    },
  },
};

/** Resolves true when something accepts TCP connections on 127.0.0.1:port. */
export function reachable(port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function rootRunner() {
  if (typeof process.getuid === 'function' && process.getuid() === 0) return [];
  return spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0 ? ['sudo', '-n'] : undefined;
}

async function waitFor(port, ms) {
  for (let waited = 0; waited < ms; waited += 250) {
    if (await reachable(port, 250)) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

/**
 * Makes sure one service answers: starts it (installing Debian's package first when needed and
 * allowed), saying what it does. @returns true when it is reachable afterwards.
 */
export async function ensureService(name, log = (line) => console.error(line)) {
  const s = services[name];
  if (await reachable(s.port)) return true;
  const runner = rootRunner();
  if (runner === undefined) return false;
  const run = (args) => {
    const [cmd, ...rest] = [...runner, ...args];
    return spawnSync(cmd, rest, {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    }).status;
  };
  if (!s.installed()) {
    log(
      `${name} is not installed: installing Debian's ${s.debianPackage} package for the scale-out tests (apt-get)…`,
    );
    run(['apt-get', 'update', '-qq']);
    if (run(['apt-get', 'install', '-y', '-qq', s.debianPackage]) !== 0 || !s.installed()) return false;
  }
  log(`${name} is not running on 127.0.0.1:${s.port}: starting it…`);
  for (const command of s.start()) run(command);
  return waitFor(s.port, 30_000);
}

/** Ensures both services; prints one line per service that cannot be made to answer. */
export async function ensureServices(log = (line) => console.error(line)) {
  let ok = true;
  for (const name of Object.keys(services)) {
    if (!(await ensureService(name, log))) {
      log(services[name].help);
      ok = false;
    }
  }
  return ok;
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.includes('--ensure')) {
  if (!(await ensureServices())) process.exit(1);
}
