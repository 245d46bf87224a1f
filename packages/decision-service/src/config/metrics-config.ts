/**
 * The `metrics` section of the configuration: where `GET /metrics` is served and whether it needs
 * an API key (docs/deployment.md "Metrics"). The default keeps the first releases' behaviour — on
 * the API listener, no key — which is safe only while that listener is on loopback.
 */

/** A listener of its own for `/metrics`. */
export interface MetricsListenerInput {
  /** @defaultValue '127.0.0.1' */
  host?: string;
  /** `0` picks a free port (tests). */
  port: number;
}

/** `metrics` as written in the file. */
export interface MetricsConfigInput {
  /**
   * Serve `/metrics` on its own address instead of the API listener, so the API port can face
   * app servers while only Prometheus reaches the metrics port.
   * @defaultValue absent: `/metrics` is served on the API listener
   */
  listener?: MetricsListenerInput;
  /**
   * `/metrics` answers only with `Authorization: Bearer <API key>` (any valid key; give the
   * scraper a key of an audience of its own). @defaultValue false
   */
  requireKey?: boolean;
}

/** `metrics` with its defaults filled. */
export interface MetricsSettings {
  /** Its own listener, or undefined for the API listener. */
  listener?: { host: string; port: number };
  requireKey: boolean;
}

/** JSON Schema of the `metrics` section. */
export const metricsConfigSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    listener: {
      type: 'object',
      additionalProperties: false,
      required: ['port'],
      properties: {
        host: { type: 'string', minLength: 1, maxLength: 255 },
        port: { type: 'integer', minimum: 0, maximum: 65535 },
      },
    },
    requireKey: { type: 'boolean' },
  },
} as const;

/**
 * Fills the defaults of the `metrics` section.
 *
 * @example
 * normalizeMetrics({ listener: { port: 9464 } }); // { listener: { host: '127.0.0.1', port: 9464 }, requireKey: false }
 */
export function normalizeMetrics(input: MetricsConfigInput | undefined): MetricsSettings {
  const settings: MetricsSettings = { requireKey: input?.requireKey ?? false };
  const listener = input?.listener;
  if (listener) settings.listener = { host: listener.host ?? '127.0.0.1', port: listener.port };
  return settings;
}
