import { type Context, context, type Span, SpanStatusCode, trace } from '@opentelemetry/api';
import { VERSION } from '../version.js';

/**
 * The service's tracer (OpenTelemetry API). Every span is a no-op until the app registers an SDK
 * (`NodeTracerProvider.register()` or `@opentelemetry/sdk-node`); the API costs nothing otherwise.
 */
export const tracer = () => serviceTracer;

// The API's tracer is a proxy that follows the SDK registered later, so it is taken once.
const serviceTracer = trace.getTracer('@stepgate/decision-service', VERSION);

/** A parent span and a way to run its stages as child spans. */
export interface Traced {
  readonly span: Span;
  /** Runs `fn` inside a child span `${parent name}.${name}`; the span ends when `fn` settles. */
  stage<T>(name: string, fn: () => T): T;
}

function endWith(span: Span, error: unknown): void {
  span.recordException(error as Error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message ?? String(error) });
  span.end();
}

/**
 * Runs `fn` in a span named `name`; its stages become child spans (parented explicitly, so no
 * context manager is needed). Errors are recorded on the span and rethrown.
 */
export async function withSpan<T>(
  name: string,
  attributes: Record<string, string>,
  fn: (traced: Traced) => Promise<T>,
): Promise<T> {
  const span = serviceTracer.startSpan(name, { attributes });
  const recording = span.isRecording();
  const parent: Context = trace.setSpan(context.active(), span);
  const traced: Traced = {
    span,
    stage(stageName, stageFn) {
      // Not recorded (no SDK, or not sampled): no child spans either, as a parent-based sampler
      // would decide, and nothing is allocated for them.
      if (!recording) return stageFn();
      const child = serviceTracer.startSpan(`${name}.${stageName}`, undefined, parent);
      try {
        const result = stageFn();
        if (result instanceof Promise) {
          return result.then(
            (value) => {
              child.end();
              return value;
            },
            (error: unknown) => {
              endWith(child, error);
              throw error;
            },
          ) as typeof result;
        }
        child.end();
        return result;
      } catch (error) {
        endWith(child, error);
        throw error;
      }
    },
  };
  try {
    const value = await context.with(parent, () => fn(traced));
    span.end();
    return value;
  } catch (error) {
    endWith(span, error);
    throw error;
  }
}
