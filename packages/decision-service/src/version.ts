/** The service's version, reported by `/healthz` and `stepgate --version`. */
export const VERSION = '0.1.0';
