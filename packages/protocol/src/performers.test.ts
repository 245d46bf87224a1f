import { describe, expect, it } from 'vitest';
import { idpIdOf, isPerformer } from './performers.js';

describe('performers', () => {
  it('names stepgate and idp:<id> performers only', () => {
    expect(isPerformer('stepgate')).toBe(true);
    expect(isPerformer('idp:corp-sso_2')).toBe(true);
    for (const bad of ['any', 'idp:', 'idp:a b', 'idp:é', `idp:${'x'.repeat(65)}`, 'IDP:corp', 3, null]) {
      expect(isPerformer(bad)).toBe(false);
    }
  });

  it('reads the provider id of an idp performer', () => {
    expect(idpIdOf('idp:corp')).toBe('corp');
    expect(idpIdOf('stepgate')).toBeUndefined();
    expect(idpIdOf('idp:')).toBeUndefined();
  });
});
