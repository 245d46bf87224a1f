// Where Debian's Chromium lives, the flags it needs on this kind of machine, and how the test
// command installs it when it is missing (CONTRIBUTING.md): as root it needs --no-sandbox, and
// without the background-networking flags it tries to reach the internet at every start.
//
//   node tools/chromium.mjs --ensure    install Debian's chromium if missing (used by .ci/run)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const chromiumPath = process.env.CHROME_PATH ?? '/usr/bin/chromium';

export const chromiumArgs = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

/** The one line printed when Chromium is missing and cannot be installed from here. */
export const chromiumHelp = `Chromium is missing at ${chromiumPath} and could not be installed here: run "sudo apt-get update && sudo apt-get install -y chromium" (or set CHROME_PATH to a Chromium or Chrome binary), then run the tests again.`;

export function hasChromium() {
  return existsSync(chromiumPath);
}

/** How to run a command as root: directly as root, through passwordless sudo, or not at all. */
function rootRunner() {
  if (typeof process.getuid === 'function' && process.getuid() === 0) return [];
  const sudo = spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' });
  return sudo.status === 0 ? ['sudo', '-n'] : undefined;
}

function hasAptGet() {
  return spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Makes sure Chromium is there: when it is missing and this is a Debian-family machine where we
 * are root or have passwordless sudo, installs Debian's `chromium` with apt-get (after
 * `apt-get update`), saying what it does. Never downloads a browser of its own.
 * @returns true when Chromium is available afterwards.
 */
export function ensureChromium(log = (line) => console.error(line)) {
  if (hasChromium()) return true;
  if (process.env.CHROME_PATH) {
    log(`CHROME_PATH points at ${chromiumPath}, which does not exist.`);
    return false;
  }
  const runner = rootRunner();
  if (runner === undefined || !hasAptGet()) return false;
  const run = (args) => {
    const [cmd, ...rest] = [...runner, ...args];
    return spawnSync(cmd, rest, {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  };
  log("Chromium is missing: installing Debian's chromium package for the browser tests (apt-get)…");
  if (run(['apt-get', 'update', '-qq']).status !== 0)
    log('apt-get update failed; trying the install anyway.');
  const install = run(['apt-get', 'install', '-y', '-qq', 'chromium']);
  if (install.status !== 0 || !hasChromium()) return false;
  log(`Chromium installed at ${chromiumPath}.`);
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.includes('--ensure')) {
  if (!ensureChromium()) {
    console.error(chromiumHelp);
    process.exit(1);
  }
}
