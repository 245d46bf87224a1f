/**
 * Wire-body schemas used by the routes: the protocol package's, so the service validates exactly
 * what the other packages check their mocks against.
 */
export {
  decisionRequestSchema,
  decisionResponseSchema,
  errorBodySchema,
  feedbackRequestSchema,
  policyFieldsSchema,
  userUpsertRequestSchema,
  userViewSchema,
} from '@stepgate/protocol';
