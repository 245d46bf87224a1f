import { describe, expect, it } from 'vitest';
import { ServiceMetrics } from './service-metrics.js';

describe('ServiceMetrics', () => {
  it('counts decisions by outcome and policy, and audit batches and failures', async () => {
    let reloads = { ok: 2, failed: 1 };
    const m = new ServiceMetrics({ processMetrics: false, policyReloads: () => reloads });
    m.observeDecision(
      { decision: 'step_up', reasons: [{ policyId: 'high-value' }, { policyId: 'high-value' }] },
      0.003,
    );
    m.observeDecision({ decision: 'allow', reasons: [] }, 0.001);
    const hooks = m.auditHooks();
    hooks.onBatch(12, 0.002);
    hooks.onFailure();
    reloads = { ok: 3, failed: 1 };
    const text = await m.registry.metrics();
    expect(text).toContain('stepgate_decisions_total{decision="step_up"} 1');
    expect(text).toContain('stepgate_policy_decisions_total{policy="high-value",decision="step_up"} 1');
    expect(text).toContain('stepgate_decision_duration_seconds_count{decision="allow"} 1');
    expect(text).toContain('stepgate_audit_batch_size_sum 12');
    expect(text).toContain('stepgate_audit_write_failures_total 1');
    expect(text).toContain('stepgate_audit_up 0');
    expect(text).toContain('stepgate_policy_reloads_total{result="ok"} 3');
    expect(text).toContain('stepgate_policy_reloads_total{result="error"} 1');
  });

  it('two instances do not share series', async () => {
    const a = new ServiceMetrics({ processMetrics: false });
    const b = new ServiceMetrics({ processMetrics: false });
    a.observeDecision({ decision: 'deny', reasons: [] }, 0.001);
    expect(await b.registry.metrics()).not.toContain('decision="deny"');
  });
});
