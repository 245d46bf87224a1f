import { Command, InvalidArgumentError, Option } from 'commander';
import { registerTuningCommands } from '../tuning/tuning-commands.js';
import { VERSION } from '../version.js';
import { registerAuditCommands } from './audit-commands.js';
import { runFactorUnlock } from './commands/factor.js';
import { runInit } from './commands/init.js';
import { runApiKeyCreate, runApiKeyList, runApiKeyRevoke, runKeysRotate } from './commands/keys.js';
import { runMigrate } from './commands/migrate.js';
import { runPolicyCheck, runPolicyTest } from './commands/policy.js';
import { DEFAULT_DRAIN_SECONDS, runServe } from './commands/serve.js';
import { type CliIo, processIo } from './io.js';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError('a port is an integer from 0 to 65535');
  return n;
}

const collect = (value: string, previous: string[]) => [...previous, value];

function drainSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 3600)
    throw new InvalidArgumentError('the drain timeout is a number of seconds from 0 to 3600');
  return n;
}

/**
 * The `stepgate` command line (commander), with `--help` on every command.
 *
 * @example
 * await createProgram().parseAsync(['node', 'stepgate', 'policy', 'check', 'policies.yaml']);
 */
export function createProgram(io: CliIo = processIo): Command {
  const program = new Command('stepgate')
    .description('Stepgate decision service: policy-enforced step-up authentication.')
    .version(VERSION)
    .showHelpAfterError()
    // Usage errors throw a CommanderError (main.ts exits 2) instead of exiting from inside.
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });

  program
    .command('init')
    .description(
      'write a commented stepgate.yaml, an example policy and its tests, a data directory and a key file (0600)',
    )
    .option('--dir <dir>', 'directory to write into', '.')
    .option('--dev', 'development defaults: localhost origin, debug logs, issuer http://localhost:PORT')
    .option('-p, --port <port>', 'port the service will listen on (written to the config)', port)
    .option(
      '--issuer <issuer>',
      '"iss" of upgraded tokens (default: http://localhost:PORT with --dev, else urn:stepgate)',
    )
    .action((opts: { dir: string; dev?: boolean; port?: number; issuer?: string }) =>
      runInit(
        {
          dir: opts.dir,
          dev: opts.dev ?? false,
          ...(opts.port === undefined ? {} : { port: opts.port }),
          ...(opts.issuer === undefined ? {} : { issuer: opts.issuer }),
        },
        io,
      ),
    );

  program
    .command('serve')
    .description('start the HTTP service on the configured store (reloads policies on change and SIGHUP)')
    .option('-c, --config <file>', 'configuration file (default: ./stepgate.yaml when present)')
    .option('-p, --port <port>', 'port to listen on (overrides the config)', port)
    .option('--host <host>', 'address to listen on (overrides the config)')
    .option('--dev', 'development checks: warn when the issuer is not the URL the service listens on')
    .option('--migrate', 'run pending store migrations before serving (as store.migrate: true)')
    .option(
      '--drain-timeout <seconds>',
      `on SIGTERM / SIGINT, how long in-flight requests may run before exit (default ${DEFAULT_DRAIN_SECONDS})`,
      drainSeconds,
    )
    .action(
      async (opts: {
        config?: string;
        port?: number;
        host?: string;
        dev?: boolean;
        migrate?: boolean;
        drainTimeout?: number;
      }) => {
        const { drainTimeout, ...rest } = opts;
        await runServe(
          { ...rest, ...(drainTimeout === undefined ? {} : { drainSeconds: drainTimeout }) },
          io,
        );
      },
    );

  program
    .command('migrate')
    .description('run the pending migrations of the configured store (SQLite or PostgreSQL) and exit')
    .option('-c, --config <file>', 'configuration file (default: ./stepgate.yaml when present)')
    .action((opts: { config?: string }) => runMigrate(opts, io));

  const policy = program.command('policy').description('check and test policy files');
  policy
    .command('check')
    .description('validate and compile policy files (merged in order), reporting file:line:col of a problem')
    .argument('<files...>', 'policy files (YAML or JSON)')
    .action((files: string[]) => runPolicyCheck(files, io));
  policy
    .command('test')
    .description('run a policy test file against policies (default: x.yaml beside x.test.yaml)')
    .argument('<file>', 'policy test file')
    .option('--policy <file>', 'policy file (repeatable)', collect, [] as string[])
    .action((file: string, opts: { policy: string[] }) => runPolicyTest(file, opts.policy, io));

  const apikey = program.command('apikey').description('manage API keys');
  apikey
    .command('create')
    .description('create an API key; prints it once (only its HMAC is stored)')
    .option('-c, --config <file>', 'configuration file (default: ./stepgate.yaml when present)')
    .option('--admin', 'an admin key (admin routes)')
    .option('--audience <audience>', 'audience the key is scoped to (default: the first configured)')
    .option('--label <label>', 'a note to recognise the key by')
    .action(async (opts: { config?: string; admin?: boolean; audience?: string; label?: string }) => {
      await runApiKeyCreate(opts, io);
    });
  apikey
    .command('revoke')
    .description(
      'revoke an API key by its id (printed by "apikey create"); running services stop accepting it within 30 s',
    )
    .argument('<id>', 'the key id, key_…')
    .option('-c, --config <file>', 'configuration file (default: ./stepgate.yaml when present)')
    .action(async (id: string, opts: { config?: string }) => {
      await runApiKeyRevoke(id, opts, io);
    });

  apikey
    .command('list')
    .description('list the API keys: id, audience, admin, label, created and revoked (never a secret)')
    .option('-c, --config <file>', 'configuration file (default: ./stepgate.yaml when present)')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (opts: { config?: string; format?: 'table' | 'json' }) => {
      await runApiKeyList(opts, io);
    });

  const keys = program.command('keys').description('manage token signing keys');
  keys
    .command('rotate')
    .description(
      'add a signing key and retire the current one; old public keys stay published until their tokens expire',
    )
    .option('-c, --config <file>', 'configuration file (default: ./stepgate.yaml when present)')
    .addOption(new Option('--use <use>', 'which key').choices(['step_up', 'device']).default('step_up'))
    .action(async (opts: { config?: string; use: 'step_up' | 'device' }) => {
      await runKeysRotate(opts, io);
    });

  const factor = program.command('factor').description("manage users' factors");
  factor
    .command('unlock')
    .description(
      'unlock a factor locked after too many failed attempts: resets its counter and the user back-off; audited as factor.unlocked',
    )
    .argument('<userId>', 'the user')
    .argument(
      '<factor>',
      'a factor id, or a method: totp, webauthn or biometric (each such factor), email_otp or sms_otp',
    )
    .option('-c, --config <file>', 'configuration file (default: ./stepgate.yaml when present)')
    .action(async (userId: string, target: string, opts: { config?: string }) => {
      await runFactorUnlock(userId, target, opts, io);
    });

  registerAuditCommands(program, io);
  registerTuningCommands(program, io);

  return program;
}
