import { expect } from '@open-wc/testing';
import type { StepUpHandler } from './handlers.js';
import {
  getStepUpHandler,
  HANDLER_REGISTRY_KEY,
  setForeignStepUpHandler,
  setStepUpHandler,
} from './handlers.js';

describe('handler registry', () => {
  it('keeps handlers in one global registry, so a second copy of sdk-core (a standalone widget bundle) sees them', () => {
    const handler: StepUpHandler = async () => ({
      token: 't',
      acr: 'aal1',
      amr: ['otp'],
      expiresAt: '2030-01-01T00:00:00Z',
    });
    const off = setStepUpHandler(handler);
    const shared = (globalThis as Record<symbol, { stepUp: unknown; foreign: unknown }>)[
      HANDLER_REGISTRY_KEY
    ];
    expect(shared?.stepUp).to.equal(handler);
    // What another copy of the module would do: write the same global slot.
    const other: StepUpHandler = async () => ({
      token: 'u',
      acr: 'aal1',
      amr: ['otp'],
      expiresAt: '2030-01-01T00:00:00Z',
    });
    if (shared) shared.stepUp = other;
    expect(getStepUpHandler()).to.equal(other);
    off(); // no-op: `handler` was replaced since
    expect(getStepUpHandler()).to.equal(other);
    setStepUpHandler(null);
    expect(getStepUpHandler()).to.equal(null);
  });

  it('unregisters only the handler it registered', () => {
    const offForeign = setForeignStepUpHandler(() => undefined);
    const shared = (globalThis as Record<symbol, { foreign: unknown }>)[HANDLER_REGISTRY_KEY];
    expect(shared?.foreign).to.be.a('function');
    offForeign();
    expect(shared?.foreign).to.equal(null);
  });
});
