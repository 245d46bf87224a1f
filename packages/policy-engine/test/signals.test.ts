import { describe, expect, it } from 'vitest';
import { compileYaml, deviceContext, history, input, NOW, request } from './fixtures.js';

const policy = compileYaml(`
ipLists: { tor: [185.220.100.0/22], datacenter: [203.0.113.0/24] }
risk:
  lists: { tor: 1, datacenter: 0.5 }
  thresholds: { medium: 25, high: 50 }
policies:
  - { id: travel, when: { risk.geo.impossibleTravel: true }, require: { level: aal2 } }
default: allow
`);
const signals = (req = request('x'), h = history(), now = NOW) => policy.evaluate(input(req, h, now)).risk;

describe('risk signals', () => {
  it('a known device with nothing unusual is low risk', () => {
    const r = signals();
    expect(r.signals).toMatchObject({ 'device.known': true, 'device.new': false, 'session.ageSeconds': 600 });
    expect(r.level).toBe('low');
  });

  it('S25: a copied fingerprint of a known device still looks new', () => {
    const copied = history(undefined, {
      device: { rememberedToken: false, fingerprintSeen: true, accountsOnDevice: 1 },
    });
    expect(signals(request('x'), copied).signals).toMatchObject({
      'device.known': false,
      'device.new': true,
    });
    expect(signals(request('x'), copied).score).toBeGreaterThan(signals().score);
  });

  it('S25: a missing or malformed context counts as an unknown device', () => {
    for (const device of [undefined, { v: 2 }, { ...deviceContext, fingerprint: 7 }, 'garbage']) {
      const req = request('x', { context: { ip: '198.51.100.7', device: device as never } });
      expect(signals(req).signals).toMatchObject({ 'device.known': false, 'device.contextPresent': false });
    }
  });

  it('accounts per device and automation hints raise risk', () => {
    const shared = history(undefined, {
      device: { rememberedToken: true, fingerprintSeen: true, accountsOnDevice: 4 },
    });
    expect(signals(request('x'), shared).score).toBe(signals().score + 10);
    const bot = request('x', { context: { device: { ...deviceContext, signals: { webdriver: true } } } });
    expect(signals(bot).signals['device.automation']).toBe(true);
    expect(signals(bot).level).toBe('medium');
    const headless = request('x', {
      context: { userAgent: 'Mozilla/5.0 HeadlessChrome/120', device: deviceContext },
    });
    expect(signals(headless).signals['device.automation']).toBe(true);
  });

  it('geo velocity in km/h (haversine) and impossible travel', () => {
    const h = history(undefined, {
      last: { at: NOW - 3600, geo: { country: 'GB', lat: 51.5074, lon: -0.1278 } },
    });
    const paris = request('x', {
      context: { device: deviceContext, geo: { country: 'FR', lat: 48.8566, lon: 2.3522 } },
    });
    expect(signals(paris, h).signals).toMatchObject({
      'geo.distanceKm': 344,
      'geo.velocityKmh': 344,
      'geo.countryChanged': true,
      'geo.impossibleTravel': false,
    });
    const tokyo = request('x', {
      context: { device: deviceContext, geo: { country: 'JP', lat: 35.68, lon: 139.69 } },
    });
    const v = policy.evaluate(input(tokyo, h));
    expect(v.risk.signals['geo.impossibleTravel']).toBe(true);
    expect(v.risk.signals['geo.velocityKmh']).toBeGreaterThan(9000);
    expect(v.decision).toBe('step_up');
    expect(v.reasons[0]?.values).toEqual({ 'risk.geo.impossibleTravel': true });
  });

  it('short hops are geolocation noise; missing geo gives no velocity', () => {
    const h = history(undefined, { last: { at: NOW - 60, geo: { lat: 48.85, lon: 2.35 } } });
    const near = request('x', { context: { device: deviceContext, geo: { lat: 48.9, lon: 2.4 } } });
    expect(signals(near, h).signals['geo.velocityKmh']).toBe(0);
    expect(signals(request('x'), h).signals['geo.velocityKmh']).toBeUndefined();
  });

  it('IP reputation from CIDR lists, with per-list strength', () => {
    const tor = signals(request('x', { context: { ip: '185.220.101.3', device: deviceContext } }));
    expect(tor.signals['ip.reputation']).toEqual(['tor']);
    expect(tor.score).toBe(signals().score + 30);
    const dc = signals(request('x', { context: { ip: '203.0.113.9', device: deviceContext } }));
    expect(dc.score).toBe(signals().score + 15);
  });

  it('transaction amount, recent failures and action velocity', () => {
    const rich = signals(request('x', { transaction: { amount: 10000 } }));
    expect(rich.score).toBe(signals().score + 10);
    expect(signals(request('x'), history(undefined, { recentFailures: 5 })).score).toBe(signals().score + 25);
    const busy = signals(request('x'), history(undefined, { actionCounts: { x: 20, y: 100 } }));
    expect(busy.signals['action.count']).toBe(20);
    expect(busy.score).toBe(signals().score + 10);
  });

  it('session age raises risk up to 24 h; a missing authTime counts as old', () => {
    const day = signals(request('x', { subject: { id: 'u1', authTime: NOW - 86400 } }));
    expect(day.signals['session.ageSeconds']).toBe(86400);
    expect(signals(request('x', { subject: { id: 'u1' } })).score).toBe(day.score);
  });

  it('the score is capped at 100 and levels follow the thresholds', () => {
    const worst = request('x', {
      subject: { id: 'u1' },
      transaction: { amount: 1e9 },
      context: {
        ip: '185.220.100.1',
        device: { ...deviceContext, signals: { webdriver: true } },
        geo: { country: 'JP', lat: 35, lon: 139 },
      },
    });
    const h = history(undefined, {
      device: { rememberedToken: false, fingerprintSeen: false, accountsOnDevice: 9 },
      recentFailures: 9,
      last: { at: NOW - 60, geo: { country: 'FR', lat: 48, lon: 2 } },
    });
    const r = signals(worst, h);
    expect(r.score).toBe(100);
    expect(r.level).toBe('high');
  });

  it('weights are set in the document', () => {
    const quiet = compileYaml(
      'risk: { weights: { newDevice: 0, sessionAge: 0, automation: 0 } }\npolicies: []\ndefault: allow\n',
    );
    const bot = request('x', {
      subject: { id: 'u1' },
      context: { device: { ...deviceContext, signals: { webdriver: true } } },
    });
    expect(
      quiet.evaluate(
        input(
          bot,
          history(undefined, {
            device: { rememberedToken: false, fingerprintSeen: false, accountsOnDevice: 1 },
          }),
        ),
      ).risk.score,
    ).toBe(0);
  });
});

describe('the verdict’s risk is computed when first read', () => {
  it('serialises, spreads and clones like a plain object once read', () => {
    const v = policy.evaluate(
      input(request('x', { context: { ip: '185.220.101.3', device: deviceContext } })),
    );
    const json = JSON.parse(JSON.stringify(v));
    expect(json.risk).toMatchObject({
      score: expect.any(Number),
      level: expect.any(String),
      signals: { 'ip.reputation': ['tor'] },
    });
    expect(v.risk.score).toBe(json.risk.score);
    expect(Object.keys(v.risk).sort()).toEqual(['level', 'score', 'signals']);
    expect({ ...v.risk }).toEqual(json.risk);
    expect(structuredClone({ ...v.risk })).toEqual(json.risk);
  });

  it('computes only the signals a policy reads before matching, and the rest on demand', () => {
    const p = compileYaml(
      'policies:\n  - { id: a, when: { risk.device.new: true }, effect: deny }\ndefault: allow\n',
    );
    const h = history(undefined, { last: { at: NOW - 3600, geo: { lat: 51.5, lon: -0.12 } } });
    const v = p.evaluate(
      input(request('x', { context: { device: deviceContext, geo: { lat: 48.85, lon: 2.35 } } }), h),
    );
    expect(v.risk.signals['geo.velocityKmh']).toBeGreaterThan(300);
  });
});
