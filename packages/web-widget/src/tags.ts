/** The challenge element's tag name. */
export const TAG_CHALLENGE = 'step-up-challenge';
