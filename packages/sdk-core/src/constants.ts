import { HEADERS } from '@stepgate/protocol';

/** The request header that carries the device context. */
export const CONTEXT_HEADER = HEADERS.context;
