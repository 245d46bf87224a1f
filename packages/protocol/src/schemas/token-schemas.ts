/** Schemas of the JWT claims the service issues (docs/design/wire-contract.md "Tokens"). */
import { amr, method, obj, SCHEMA_LIMITS, schemaId, str, unixSeconds } from './common.js';

const uri = str(SCHEMA_LIMITS.url);

/** Claims of an upgraded token (`StepUpTokenClaims`, `typ: stepup+jwt`). */
export const stepUpTokenClaimsSchema = {
  $id: schemaId('stepUpTokenClaims'),
  ...obj(
    {
      iss: uri,
      sub: str(SCHEMA_LIMITS.id),
      aud: uri,
      iat: unixSeconds,
      exp: unixSeconds,
      nbf: unixSeconds,
      jti: str(SCHEMA_LIMITS.id),
      acr: str(SCHEMA_LIMITS.name),
      amr,
      auth_time: unixSeconds,
      sid: str(SCHEMA_LIMITS.id),
      authorization_details: {
        type: 'array',
        maxItems: 16,
        items: obj(
          {
            type: { type: 'string', const: 'urn:stepgate:step-up' },
            action: str(SCHEMA_LIMITS.name),
            digest: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$', minLength: 43, maxLength: 43 },
            method,
          },
          ['type', 'action', 'digest'],
        ),
      },
    },
    ['iss', 'sub', 'aud', 'iat', 'exp', 'jti', 'acr', 'amr', 'auth_time', 'authorization_details'],
  ),
} as const;

/** Claims of a remembered-device token (`DeviceTokenClaims`, `typ: stepgate-device+jwt`). */
export const deviceTokenClaimsSchema = {
  $id: schemaId('deviceTokenClaims'),
  ...obj(
    {
      iss: uri,
      sub: str(SCHEMA_LIMITS.id),
      iat: unixSeconds,
      exp: unixSeconds,
      jti: str(SCHEMA_LIMITS.id),
      did: str(SCHEMA_LIMITS.id),
    },
    ['iss', 'sub', 'iat', 'exp', 'jti', 'did'],
  ),
} as const;
