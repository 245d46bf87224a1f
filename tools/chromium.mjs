// Where Debian's Chromium lives and the flags it needs on this kind of machine (TOOLCHAIN.md):
// as root it needs --no-sandbox, and without the background-networking flags it tries to reach
// the internet at every start.
import { existsSync } from 'node:fs';

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

export const chromiumHelp = `Chromium was not found at ${chromiumPath}.
Browser tests run in Debian's Chromium. Install it with:
  sudo apt-get update && sudo apt-get install -y chromium
or point CHROME_PATH at another Chromium or Chrome binary.`;

export function hasChromium() {
  return existsSync(chromiumPath);
}
