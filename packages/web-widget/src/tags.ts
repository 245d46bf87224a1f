/** The challenge element's tag name. */
export const TAG_CHALLENGE = 'step-up-challenge';

/** The enrollment element's tag name. */
export const TAG_ENROLL = 'step-up-enroll';
