/**
 * OpenTelemetry (issue 20): a decision and a challenge verification are traced through
 * @opentelemetry/api, the decision's stages as child spans; nothing is recorded until the app
 * registers an SDK (here the SDK's in-memory exporter).
 */
import { trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastCode, SMALL, startWithChallenges, transfer } from './challenge-helpers.js';

describe('OpenTelemetry spans', () => {
  const exporter = new InMemorySpanExporter();
  let ctx: Awaited<ReturnType<typeof startWithChallenges>>;

  beforeAll(async () => {
    ctx = await startWithChallenges();
  });
  afterAll(async () => {
    trace.disable();
    await ctx.svc.close();
  });

  it('records nothing while no SDK is registered', async () => {
    await transfer(ctx, 'ana', SMALL);
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  it('traces a decision with its stages and a challenge verification', async () => {
    trace.setGlobalTracerProvider(
      new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
    );
    await ctx.call('PUT', '/v1/users/kim', { email: 'kim@bank.example' });
    const answer = await transfer(ctx, 'kim', SMALL);
    expect(answer.decision).toBe('step_up');
    const spans = exporter.getFinishedSpans();
    const decision = spans.find((s) => s.name === 'stepgate.decision');
    expect(decision?.attributes).toMatchObject({
      'stepgate.action': 'payments.transfer',
      'stepgate.decision': 'step_up',
      'stepgate.decision_id': answer.decisionId,
    });
    const children = spans
      .filter((s) => s.parentSpanContext?.spanId === decision?.spanContext().spanId)
      .map((s) => s.name);
    expect(children).toEqual(
      expect.arrayContaining([
        'stepgate.decision.load_state',
        'stepgate.decision.evaluate',
        'stepgate.decision.record',
        'stepgate.decision.audit',
      ]),
    );
    for (const child of spans.filter((s) => children.includes(s.name))) {
      expect(child.spanContext().traceId).toBe(decision?.spanContext().traceId);
    }

    const id = answer.challenge.id;
    await ctx.browser('POST', `/v1/challenges/${id}/start`, { method: 'email_otp' });
    const code = await lastCode(ctx, 'kim@bank.example');
    const verified = await ctx.browser('POST', `/v1/challenges/${id}/verify`, { method: 'email_otp', code });
    expect(verified.status).toBe(200);
    const verify = exporter.getFinishedSpans().find((s) => s.name === 'stepgate.challenge.verify');
    expect(verify?.attributes).toMatchObject({ 'stepgate.method': 'email_otp' });
  });
});
