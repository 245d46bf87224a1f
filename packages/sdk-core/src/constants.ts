import { HEADERS } from '@stepgate/protocol';

/** The request header that carries the device context (`Step-Up-Context`). */
export const CONTEXT_HEADER = HEADERS.context;

/** The request header that carries the upgraded token on the retried request (`Step-Up-Token`). */
export const TOKEN_HEADER = HEADERS.token;
