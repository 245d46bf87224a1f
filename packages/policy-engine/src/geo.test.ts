import { describe, expect, it } from 'vitest';
import { haversineKm } from './geo.js';

describe('haversineKm', () => {
  it('measures Paris to London at about 344 km', () => {
    expect(haversineKm({ lat: 48.8566, lon: 2.3522 }, { lat: 51.5074, lon: -0.1278 })).toBeCloseTo(343.9, 0);
  });
  it('is zero for the same point', () => {
    expect(haversineKm({ lat: 10, lon: 20 }, { lat: 10, lon: 20 })).toBe(0);
  });
});
