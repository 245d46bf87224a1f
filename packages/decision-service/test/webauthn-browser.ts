/**
 * Real WebAuthn from headless Chromium for the tests: a blank page served on
 * `http://localhost:PORT` (rpId `localhost`; WebAuthn refuses `127.0.0.1`) and a CDP virtual
 * authenticator (internal, CTAP2, resident keys). The test moves JSON between the page and the
 * service; the page only runs `navigator.credentials`.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, type CDPSession, chromium, type Page } from 'playwright-core';
// @ts-expect-error -- a plain .mjs of the workspace tools, without types.
import { chromiumArgs, chromiumHelp, chromiumPath } from '../../../tools/chromium.mjs';

/** Options of {@link WebAuthnBrowser.addAuthenticator}. */
export interface AuthenticatorOptions {
  /** Whether the authenticator can verify the user at all. @defaultValue true */
  hasUserVerification?: boolean;
  isUserVerified?: boolean;
  /** Backup eligibility and state of new credentials (a synced passkey). */
  backup?: boolean;
  /** Backup state of new credentials, when it differs from `backup`. @defaultValue backup */
  backupState?: boolean;
}

/** A credential of a virtual authenticator (CDP `WebAuthn.Credential`, plus its base64url id). */
export interface VirtualCredential {
  id: string;
  credentialId: string;
  isResidentCredential: boolean;
  rpId: string;
  privateKey: string;
  userHandle: string;
  signCount: number;
}

/** A browser page on a localhost origin, with a virtual authenticator. */
export class WebAuthnBrowser {
  readonly #authenticators = new Set<string>();

  private constructor(
    readonly browser: Browser,
    readonly page: Page,
    readonly cdp: CDPSession,
    readonly server: Server,
    readonly origin: string,
  ) {}

  /** Starts Chromium and the page server. */
  static async open(): Promise<WebAuthnBrowser> {
    // No silent skip: without Chromium these tests fail and say how to get it.
    if (!existsSync(chromiumPath)) throw new Error(chromiumHelp);
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>stepgate webauthn test</title>');
    });
    await new Promise<void>((resolve) => server.listen(0, 'localhost', resolve));
    const origin = `http://localhost:${(server.address() as AddressInfo).port}`;
    const browser = await chromium.launch({
      executablePath: chromiumPath,
      args: chromiumArgs,
      timeout: 60_000,
    });
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(origin);
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    return new WebAuthnBrowser(browser, page, cdp, server, origin);
  }

  /** Adds a virtual authenticator (removing any earlier one). @returns its id. */
  async addAuthenticator(options: AuthenticatorOptions = {}): Promise<string> {
    const { authenticatorId } = await this.cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: options.hasUserVerification ?? true,
        isUserVerified: options.isUserVerified ?? true,
        automaticPresenceSimulation: true,
        defaultBackupEligibility: options.backup ?? false,
        defaultBackupState: options.backupState ?? options.backup ?? false,
      },
    });
    this.#authenticators.add(authenticatorId);
    return authenticatorId;
  }

  /** Removes an authenticator. */
  async removeAuthenticator(authenticatorId: string): Promise<void> {
    await this.cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
    this.#authenticators.delete(authenticatorId);
  }

  /** Removes every authenticator this helper added. */
  async removeAllAuthenticators(): Promise<void> {
    for (const id of [...this.#authenticators]) await this.removeAuthenticator(id);
  }

  /** The credentials of an authenticator, with `id` in base64url and the private key (for a clone). */
  async credentials(authenticatorId: string): Promise<VirtualCredential[]> {
    const { credentials } = await this.cdp.send('WebAuthn.getCredentials', { authenticatorId });
    return credentials.map((c) => ({
      id: Buffer.from(c.credentialId, 'base64').toString('base64url'),
      credentialId: c.credentialId,
      isResidentCredential: c.isResidentCredential,
      rpId: c.rpId ?? 'localhost',
      privateKey: c.privateKey,
      userHandle: c.userHandle ?? '',
      signCount: c.signCount,
    }));
  }

  /**
   * Changes a credential's BE/BS flags for its next assertions (CDP `WebAuthn.setCredentialProperties`,
   * WebAuthn L3 §11.9 "Set Credential Properties").
   */
  async setCredentialProperties(
    authenticatorId: string,
    credential: VirtualCredential,
    properties: { backupEligibility?: boolean; backupState?: boolean },
  ): Promise<void> {
    await this.cdp.send('WebAuthn.setCredentialProperties', {
      authenticatorId,
      credentialId: credential.credentialId,
      ...properties,
    });
  }

  /** Puts a credential (for example a copy of another authenticator's) into an authenticator. */
  async addCredential(authenticatorId: string, credential: VirtualCredential): Promise<void> {
    const { id: _id, ...cdpCredential } = credential;
    await this.cdp.send('WebAuthn.addCredential', { authenticatorId, credential: cdpCredential });
  }

  /** Runs `navigator.credentials.create` with the service's options; answers the credential's JSON. */
  create(publicKey: unknown): Promise<Record<string, unknown>> {
    return this.page.evaluate(async (json) => {
      // biome-ignore lint/suspicious/noExplicitAny: browser globals; this Node package has no DOM types
      const w = globalThis as any;
      const options = w.PublicKeyCredential.parseCreationOptionsFromJSON(json);
      const credential = await w.navigator.credentials.create({ publicKey: options });
      return credential.toJSON() as Record<string, unknown>;
    }, publicKey);
  }

  /** Runs `navigator.credentials.get` with the service's options; answers the assertion's JSON. */
  get(publicKey: unknown): Promise<Record<string, unknown>> {
    return this.page.evaluate(async (json) => {
      // biome-ignore lint/suspicious/noExplicitAny: browser globals; this Node package has no DOM types
      const w = globalThis as any;
      const options = w.PublicKeyCredential.parseRequestOptionsFromJSON(json);
      const credential = await w.navigator.credentials.get({ publicKey: options });
      return credential.toJSON() as Record<string, unknown>;
    }, publicKey);
  }

  async close(): Promise<void> {
    await this.browser.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
