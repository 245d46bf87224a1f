/**
 * @stepgate/web-widget — `<step-up-challenge>` and `<step-up-enroll>`.
 * @packageDocumentation
 */
export { TAG_CHALLENGE } from './tags.js';
