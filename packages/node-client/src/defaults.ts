/** How long a decision call may take before the guard fails closed. @defaultValue 300 */
export const DEFAULT_TIMEOUT_MS = 300;
