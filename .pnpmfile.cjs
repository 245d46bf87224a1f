// pnpm hooks for this workspace.
//
// better-sqlite3 compiles from source on machines where its prebuilt binary cannot be fetched
// (TOOLCHAIN.md). node-gyp then downloads Node's headers unless told where they are; on a machine
// that reaches only the npm registry that download fails. When this Node's own headers are
// installed beside it (Debian's nodejs, the official tarballs), point node-gyp at them, so that
// a plain `pnpm install` works with no environment variable. An explicit npm_config_nodedir wins.
// The compile runs one job per core (JOBS=max): SQLite's amalgamation and the addon are two
// translation units, so two cores build them side by side.
const { existsSync } = require('node:fs');
const { dirname, join } = require('node:path');

const prefix = join(dirname(process.execPath), '..');
const localHeaders = existsSync(join(prefix, 'include', 'node', 'node_version.h'));

module.exports = {
  hooks: {
    updateConfig(config) {
      const extraEnv = { ...config.extraEnv };
      if (!process.env.JOBS) extraEnv.JOBS = 'max';
      if (!process.env.npm_config_nodedir && localHeaders) extraEnv.npm_config_nodedir = prefix;
      return { ...config, extraEnv };
    },
  },
};
