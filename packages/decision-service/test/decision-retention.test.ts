/**
 * Decisions are kept for feedback for `decisions.retention`, then deleted by the housekeeping
 * purge: feedback on an older decision answers 404, while newer ones still take labels.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningService } from '../src/index.js';
import { purgeCutoffs } from '../src/start.js';
import { client, start, testClock } from './helpers.js';

const DAY = 86_400_000;

describe('decision retention', () => {
  let svc: RunningService | undefined;
  afterEach(async () => {
    await svc?.close();
    svc = undefined;
  });

  it('feedback is taken within decisions.retention, and answers 404 once the purge has run past it', async () => {
    const clock = testClock();
    svc = await start({ clock, config: { decisions: { retention: '2d' } } });
    const call = client(svc);
    const decide = async () =>
      (await call('POST', '/v1/decisions', { subject: { id: 'alice' }, action: { name: 'payments.list' } }))
        .body.decisionId as string;
    const first = await decide();
    clock.advance(DAY);
    const second = await decide();
    expect((await call('POST', `/v1/decisions/${first}/feedback`, { label: 'legit' })).status).toBe(204);

    // One day later the purge keeps both (the first is 2 days old, not older).
    clock.advance(DAY);
    await svc.stores.purgeExpired(clock(), purgeCutoffs(svc.config, clock()));
    expect((await call('POST', `/v1/decisions/${first}/feedback`, { label: 'fraud' })).status).toBe(204);

    clock.advance(1);
    await svc.stores.purgeExpired(clock(), purgeCutoffs(svc.config, clock()));
    const gone = await call('POST', `/v1/decisions/${first}/feedback`, { label: 'fraud' });
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe('not_found');
    expect(gone.body.error.message).toMatch(/decisions\.retention/);
    expect((await call('POST', `/v1/decisions/${second}/feedback`, { label: 'fraud' })).status).toBe(204);
  });
});
