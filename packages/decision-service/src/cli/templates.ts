/** Files written by `stepgate init`. */

/** The commented configuration file. */
export function configTemplate(options: { dev: boolean; port?: number; issuer?: string }): string {
  const port = options.port ?? 8787;
  const issuer = options.issuer ?? (options.dev ? `http://localhost:${port}` : 'urn:stepgate');
  return `# Stepgate decision service configuration (docs/deployment.md lists every key).
# Every value can be overridden by an environment variable (STEPGATE_PORT, STEPGATE_POLICIES, …).

# "iss" of the upgraded tokens this service mints${options.dev ? ': where it listens (server.port below; "stepgate serve --dev" warns when they differ)' : ' (your public URL, or a URN)'}.
issuer: ${JSON.stringify(issuer)}

# Audiences API keys can be scoped to; the first is the default ("aud" of upgraded tokens).
audiences: [default]

# Audiences whose API keys may change users' contact points and factors (admin keys always may).
# users: { manageAudiences: [default] }

# acr value of each level, so they match your identity provider.
# acrValues: { aal1: urn:stepgate:aal1, aal2: urn:stepgate:aal2, aal3: urn:stepgate:aal3 }

tokens:
  lifetime: 5m          # upgraded tokens: a few minutes
  deviceLifetime: 30d   # remembered-device tokens
  clockSkew: 30         # seconds tolerated on exp / nbf

challenges:
  lifetime: 5m
  maxFailures: 5          # a challenge dies after this many failures; the step-up restarts
  codeLifetime: 10m       # emailed / texted codes
  resendAfter: 30         # seconds before a code can be sent again (the old one stops working)
  # An authenticator locks after 20 consecutive failures until the user proves another factor at
  # its level or you run "stepgate factor unlock"; from the 5th failure on, each try waits 30 s,
  # doubling up to 1 h (the user's own back-off starts at 10 failures over all methods).
  lockout: { authenticator: 20, user: 10, backoff: { after: 5, base: 30s, max: 1h } }
  rateLimits: { window: 60, startPerIp: 30, startPerUser: 10, verifyPerIp: 60, verifyPerUser: 30 }

# How email and SMS codes and new-factor notices leave the service (docs/deployment.md).
${
  options.dev
    ? `# dev: kept in memory, read with GET /v1/dev/outbox and the admin key. Never in production.
senders:
  email: { type: dev }
  sms: { type: dev }`
    : `# A signed POST to your app, which sends through its own provider; or SMTP for email.
# senders:
#   email: { type: smtp, host: smtp.example.com, port: 587, user: stepgate, from: "Bank <no-reply@bank.example>" }  # password: STEPGATE_SMTP_PASSWORD
#   sms: { type: webhook, url: "https://app.example/stepgate/messages" }  # secret: STEPGATE_SMS_WEBHOOK_SECRET`
}

# Browser origins of your app (CORS for the challenge routes the widget calls directly).
origins: [${options.dev ? 'http://localhost:3000' : ''}]

# CIDRs of callers whose Stepgate-Client-IP header is trusted (besides holding an API key).
# Empty: every caller with an API key.
trustedClients: []

# Policy files, merged in order; reloaded on change and on SIGHUP.
policies: [policies.yaml]

# Named IP lists (one CIDR per line) for risk.ip.reputation and cidr conditions.
# ipLists: { tor: lists/tor-exits.txt, datacenter: lists/datacenters.txt }

# A MaxMind-format City database, for geo when the backend sends no context.geo.
# maxmindDb: GeoLite2-City.mmdb

# The SQLite store lives here; the master key file must stay OUTSIDE backups of this directory.
dataDir: data
keyFile: stepgate.key   # mode 0600; or set STEPGATE_MASTER_KEY

# N replicas behind a load balancer: PostgreSQL (durable rows, the audit chain) + Redis (hot
# state), every replica with the same master key; run "stepgate migrate" first (docs/deployment.md).
# store:
#   type: postgres                                 # sqlite (default) | postgres
#   url: postgres://127.0.0.1:5432/stepgate        # env STEPGATE_DATABASE_URL
#   redis: redis://127.0.0.1:6379/0                # env STEPGATE_REDIS_URL

logLevel: ${options.dev ? 'debug' : 'info'}

server:
  host: 127.0.0.1
  port: ${port}
  bodyLimit: 65536

# Prometheus metrics. Production: a listener of their own that only the scraper reaches, and/or an
# API key on every scrape (Authorization: Bearer <key>). Default: /metrics on the port above, no key.
# metrics:
#   listener: { host: 127.0.0.1, port: 9464 }
#   requireKey: true
`;
}

/** An example policy file. */
export const POLICY_TEMPLATE = `# Stepgate policies (docs/policies.md). Check with: stepgate policy check policies.yaml

# The request fields the policies compare, with their types ("Typed fields"): a request whose
# field has another type (say "900 EUR") is refused with 400 invalid_request, never "no match";
# a missing one follows the policy's onMissing (by default its own effect: fail closed).
fields:
  transaction.amount: number

policies:
  - id: high-value-transfer
    description: Transfers above 1000 need a fresh second factor bound to the transaction.
    when: { action: payments.transfer, transaction.amount: { gt: 1000 } }
    require: { level: aal2, maxAge: 0, bindTransaction: true }

  - id: admin-area
    description: Every admin action, however deep (admin.users.export too), needs aal2 within 15 minutes.
    # "**" spans dots; "admin.*" would match admin.users but not admin.users.export (docs/policies.md).
    when: { action: "admin.**" }
    require: { level: aal2, maxAge: 15m }

  - id: impossible-travel
    when: { risk.geo.velocityKmh: { gt: 900 } }
    require: { level: aal2 }

default: allow   # required: what happens when no policy matches (S22)
`;

/** Example policy tests for the example policies. */
export const POLICY_TESTS_TEMPLATE = `# Run with: stepgate policy test policies.test.yaml
defaults:
  now: 1900000000
  history:
    enrolledMethods: [{ method: totp, maxLevel: aal2 }]
tests:
  - name: small transfers pass
    input:
      request: { subject: { id: u1 }, action: { name: payments.transfer }, transaction: { amount: 20 } }
    expect: { decision: allow }
  - name: large transfers step up to aal2
    input:
      request: { subject: { id: u1 }, action: { name: payments.transfer }, transaction: { amount: 5000 } }
    expect: { decision: step_up, level: aal2, policies: [high-value-transfer] }
  - name: an admin action two segments deep steps up too
    input:
      request: { subject: { id: u1 }, action: { name: admin.users.export } }
    expect: { decision: step_up, level: aal2, policies: [admin-area] }
  - name: an amount that is not a number is refused, not let through
    input:
      request: { subject: { id: u1 }, action: { name: payments.transfer }, transaction: { amount: 5000 EUR } }
    expect: { decision: deny, invalid: transaction.amount }
  - name: a transfer without an amount steps up
    input:
      request: { subject: { id: u1 }, action: { name: payments.transfer }, transaction: {} }
    expect: { decision: step_up, level: aal2, policies: [high-value-transfer] }
`;
