/**
 * The `users` section of the configuration: which API keys may manage users — their contact
 * points, factors and enrollment tickets (docs/deployment.md "Configuration"). A key of any other
 * audience can ask for decisions but cannot touch a user's factors (issue 15, S31).
 */
import type { ConfigLocation } from './config-error.js';
import { ConfigError } from './config-error.js';

/** `users` as written in the file. */
export interface UsersConfigInput {
  /**
   * Audiences whose API keys may call `PUT /v1/users/{id}`, `GET`/`DELETE /v1/users/{id}/factors…`
   * and `POST /v1/enrollments`; admin keys always may. Each must be one of `audiences`; `[]` leaves
   * user management to admin keys.
   * @defaultValue the default audience, `[audiences[0]]`
   */
  manageAudiences?: string[];
}

/** `users` with its defaults filled. */
export interface UsersSettings {
  manageAudiences: string[];
}

/** JSON Schema of the `users` section. */
export const usersConfigSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    manageAudiences: {
      type: 'array',
      items: { type: 'string', minLength: 1, maxLength: 200 },
      maxItems: 100,
      uniqueItems: true,
    },
  },
} as const;

/**
 * Fills the defaults of the `users` section.
 *
 * @example
 * normalizeUsers(undefined, ['bank-api', 'partner']); // { manageAudiences: ['bank-api'] }
 */
export function normalizeUsers(
  input: UsersConfigInput | undefined,
  audiences: readonly string[],
): UsersSettings {
  return { manageAudiences: [...(input?.manageAudiences ?? audiences.slice(0, 1))] };
}

/**
 * What the schema cannot say: every `users.manageAudiences` entry names a configured audience.
 * Run on the configuration once the file, the config object and the environment are merged.
 *
 * @throws ConfigError located at the unknown entry.
 * @example
 * checkUsersConfig({ manageAudiences: ['bnak'] }, ['bank'], (path) => ({ path: `/${path.join('/')}` }));
 * // ConfigError: /users/manageAudiences/0: unknown audience "bnak" (audiences: bank)
 */
export function checkUsersConfig(
  users: UsersConfigInput | undefined,
  audiences: readonly string[],
  locate: (path: string[]) => ConfigLocation,
): void {
  for (const [i, audience] of (users?.manageAudiences ?? []).entries()) {
    if (!audiences.includes(audience)) {
      throw new ConfigError(
        locate(['users', 'manageAudiences', String(i)]),
        `unknown audience "${audience}" (audiences: ${audiences.join(', ')})`,
      );
    }
  }
}
