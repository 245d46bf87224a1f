/**
 * A real OpenID provider for the tests (oidc-provider 8, a certified implementation), in the test
 * process on a loopback port: authorization code flow, discovery, JWKS, the `claims` parameter,
 * and an `acr`-aware login page (the user picks the assurance level they sign in at, as a second
 * factor would). Keys can be rotated: the provider is restarted on the same issuer with a new key.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider, { type Configuration } from 'oidc-provider';

/** A client registered at the test provider (confidential, `client_secret_basic`). */
export interface TestClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
}

/** Options of {@link startTestIdp}. */
export interface TestIdpOptions {
  /** @defaultValue 0 (a free port) */
  port?: number;
  /** @defaultValue one client `bank-app` with redirect `http://localhost/callback` */
  clients?: TestClient[];
  /** `acr` values the provider supports. @defaultValue ['urn:corp:pwd', 'urn:corp:mfa', 'urn:corp:phr'] */
  acrValues?: string[];
  /** The signing key; a fresh RS256 key by default. */
  key?: JWK;
  /**
   * An API the app calls with the provider's access tokens: they are then JWTs (RFC 9068) for this
   * audience, carrying the sign-in's `acr`, `amr` and `auth_time`.
   */
  apiAudience?: string;
}

/** What a scripted sign-in answers with. */
export interface SignInResult {
  idToken: string;
  accessToken: string;
  /** The `code` before it was exchanged (when `exchange: false`). */
  code?: string;
}

/** A running test provider. */
export interface TestIdp {
  issuer: string;
  port: number;
  /** The current signing key (private JWK with `kid`). */
  key: JWK;
  clients: TestClient[];
  /**
   * Signs `user` in through the real authorization code flow (authorization request → the login
   * page, answered at `acr` with `amr` → code → token endpoint) and returns the tokens.
   */
  signIn(options: {
    user: string;
    acr: string;
    amr?: string[];
    params?: Record<string, string>;
    client?: TestClient;
  }): Promise<SignInResult>;
  /** Restarts the provider on the same issuer with a new signing key (the old one is no longer published). */
  rotateKey(): Promise<void>;
  close(): Promise<void>;
}

const DEFAULT_ACRS = ['urn:corp:pwd', 'urn:corp:mfa', 'urn:corp:phr'];

/** A fresh RS256 signing key as a private JWK. */
export async function newSigningKey(kid: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
}

const html = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function configuration(
  clients: TestClient[],
  acrValues: string[],
  key: JWK,
  apiAudience: string | undefined,
): Configuration {
  return {
    clients: clients.map((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      redirect_uris: c.redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
    })),
    acrValues,
    claims: { openid: ['sub'], acr: null, amr: null, auth_time: null },
    features: {
      claimsParameter: { enabled: true },
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: apiAudience !== undefined,
        defaultResource: () => apiAudience ?? '',
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: 'api',
          audience: apiAudience!,
          accessTokenFormat: 'jwt',
          accessTokenTTL: 3600,
        }),
      },
    },
    // RFC 9068 §2.2.1: the access token carries the authentication's acr, amr and auth_time.
    extraTokenClaims: (ctx) => {
      const code = ctx.oidc.entities.AuthorizationCode;
      return code ? { acr: code.acr, amr: code.amr, auth_time: code.authTime } : undefined;
    },
    jwks: { keys: [key] },
    cookies: { keys: ['test-idp-cookie-key-0123456789abcdef'] },
    pkce: { required: () => false },
    ttl: {
      IdToken: 3600,
      AccessToken: 3600,
      AuthorizationCode: 60,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
    },
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    // First-party clients: consent is implied (oidc-provider's documented recipe).
    loadExistingGrant: async (ctx) => {
      const existing =
        ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session?.grantIdFor(ctx.oidc.client!.clientId);
      if (existing) return ctx.oidc.provider.Grant.find(existing);
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client!.clientId,
        accountId: ctx.oidc.session!.accountId!,
      });
      grant.addOIDCScope('openid');
      grant.addOIDCClaims(['sub', 'acr', 'amr', 'auth_time']);
      for (const resource of Object.keys(ctx.oidc.resourceServers ?? {}))
        grant.addResourceScope(resource, 'api');
      await grant.save();
      return grant;
    },
  };
}

/**
 * Mounts the login page: GET shows the requested `acr` values and a form; POST finishes the
 * interaction at the chosen `acr` and `amr` (comma-separated).
 */
function interactions(provider: Provider) {
  return async (ctx: Parameters<Parameters<Provider['use']>[0]>[0], next: () => Promise<void>) => {
    const m = /^\/interaction\/([\w-]+)(\/login)?$/.exec(ctx.path);
    if (!m) return next();
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    if (ctx.method === 'GET') {
      const wanted = String(details.params.acr_values ?? '');
      ctx.type = 'html';
      ctx.body = `<!doctype html><title>Corp SSO</title><h1>Corp SSO</h1>
<p>Requested assurance: <span id="acr-values">${html(wanted)}</span></p>
<form method="post" action="/interaction/${html(m[1]!)}/login">
<label>User <input name="user" id="user"></label>
<label>Assurance <select name="acr" id="acr">${['urn:corp:pwd', 'urn:corp:mfa', 'urn:corp:phr']
        .map((a) => `<option${wanted.split(' ')[0] === a ? ' selected' : ''}>${a}</option>`)
        .join('')}</select></label>
<input type="hidden" name="amr" value="pwd,otp,mfa">
<button id="sign-in">Sign in</button></form>`;
      return;
    }
    const form = new URLSearchParams(await readBody(ctx.req));
    await provider.interactionFinished(
      ctx.req,
      ctx.res,
      {
        login: {
          accountId: form.get('user') ?? '',
          acr: form.get('acr') ?? undefined,
          amr: (form.get('amr') ?? '').split(',').filter(Boolean),
          remember: false,
        },
      },
      { mergeWithLastSubmission: false },
    );
  };
}

function readBody(req: import('node:http').IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      text += c;
    });
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

/** A minimal cookie jar for the scripted sign-in. */
class Jar {
  readonly #cookies = new Map<string, string>();
  take(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const i = pair!.indexOf('=');
      this.#cookies.set(pair!.slice(0, i).trim(), pair!.slice(i + 1));
    }
  }
  header(): string {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/**
 * Starts the test provider on `http://127.0.0.1:PORT`.
 *
 * @example
 * const idp = await startTestIdp();
 * const { idToken } = await idp.signIn({ user: 'u1', acr: 'urn:corp:mfa', params: { nonce } });
 */
export async function startTestIdp(options: TestIdpOptions = {}): Promise<TestIdp> {
  const clients = options.clients ?? [
    {
      clientId: 'bank-app',
      clientSecret: 'bank-app-secret-0123456789abcdef',
      redirectUris: ['http://localhost/callback'],
    },
  ];
  const acrValues = options.acrValues ?? DEFAULT_ACRS;
  let key = options.key ?? (await newSigningKey('k1'));
  let server: Server | undefined;
  let port = options.port ?? 0;
  const listen = async () => {
    const issuer = `http://127.0.0.1:${port}`;
    const provider = new Provider(issuer, configuration(clients, acrValues, key, options.apiAudience));
    provider.use(interactions(provider));
    server = createServer(provider.callback());
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(port, '127.0.0.1', () => resolve());
    });
    port = (server.address() as AddressInfo).port;
  };
  // The issuer must be known before the provider is made: find the port first when it is 0.
  if (port === 0) {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
    port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
  }
  await listen();
  const stop = () =>
    new Promise<void>((resolve) => {
      server?.closeAllConnections();
      server?.close(() => resolve());
    });

  const idp: TestIdp = {
    get issuer() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    get key() {
      return key;
    },
    clients,
    async signIn({ user, acr, amr = ['pwd', 'otp', 'mfa'], params = {}, client = clients[0]! }) {
      const jar = new Jar();
      const redirectUri = client.redirectUris[0]!;
      const auth = new URL(`${idp.issuer}/auth`);
      auth.search = new URLSearchParams({
        client_id: client.clientId,
        response_type: 'code',
        scope: 'openid',
        redirect_uri: redirectUri,
        state: 'test-state',
        ...params,
      }).toString();
      let res = await fetch(auth, { redirect: 'manual' });
      jar.take(res);
      let location = res.headers.get('location');
      if (!location) throw new Error(`authorization request failed: ${res.status} ${await res.text()}`);
      if (location.includes('/interaction/')) {
        const interaction = new URL(location, idp.issuer);
        res = await fetch(`${interaction.href}/login`, {
          method: 'POST',
          redirect: 'manual',
          headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ user, acr, amr: amr.join(',') }).toString(),
        });
        jar.take(res);
        location = res.headers.get('location');
        // Back to the authorization endpoint, which now redirects to the client.
        while (location && !location.startsWith(redirectUri)) {
          res = await fetch(new URL(location, idp.issuer), {
            redirect: 'manual',
            headers: { cookie: jar.header() },
          });
          jar.take(res);
          location = res.headers.get('location');
        }
      }
      const back = new URL(location ?? '');
      const code = back.searchParams.get('code');
      if (!code) throw new Error(`no code: ${back.href}`);
      return exchangeCode(idp, code, redirectUri, client);
    },
    async rotateKey() {
      key = await newSigningKey(`k${Date.now()}`);
      await stop();
      await listen();
    },
    close: stop,
  };
  return idp;
}

/** Exchanges an authorization code at the test provider (what an app's OIDC callback does). */
export async function exchangeCode(
  idp: TestIdp,
  code: string,
  redirectUri: string,
  client: TestClient = idp.clients[0]!,
  codeVerifier?: string,
): Promise<{ idToken: string; accessToken: string }> {
  const form: Record<string, string> = { grant_type: 'authorization_code', code, redirect_uri: redirectUri };
  if (codeVerifier !== undefined) form.code_verifier = codeVerifier;
  const token = await fetch(`${idp.issuer}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
    },
    body: new URLSearchParams(form).toString(),
  });
  const body = (await token.json()) as { id_token?: string; access_token?: string };
  if (!body.id_token) throw new Error(`token exchange failed: ${JSON.stringify(body)}`);
  return { idToken: body.id_token, accessToken: body.access_token ?? '' };
}
