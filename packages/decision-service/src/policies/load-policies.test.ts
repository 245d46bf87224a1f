import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type HistorySnapshot, PolicyError } from '@stepgate/policy-engine';
import { DEFAULT_ACR_VALUES } from '@stepgate/protocol';
import { describe, expect, it } from 'vitest';
import { isInlinePolicyText, loadPolicies, readIpList } from './load-policies.js';

const HISTORY: HistorySnapshot = {
  enrolledMethods: [{ method: 'totp', maxLevel: 'aal2' }],
  device: { rememberedToken: false, fingerprintSeen: false, accountsOnDevice: 1 },
  recentFailures: 0,
  actionCounts: {},
};

function dir() {
  return mkdtempSync(join(tmpdir(), 'stepgate-policies-'));
}

describe('loadPolicies', () => {
  it('merges several files in order and loads named IP lists from files', () => {
    const d = dir();
    writeFileSync(
      join(d, 'a.yaml'),
      'policies:\n  - id: admin\n    when: { action: "admin.*" }\n    require: { level: aal2 }\ndefault: allow\n',
    );
    writeFileSync(
      join(d, 'b.yaml'),
      'policies:\n  - id: tor\n    when: { risk.ip.reputation: [tor] }\n    effect: deny\ndefault: allow\n',
    );
    writeFileSync(join(d, 'tor.txt'), '# exits\n203.0.113.0/24\n\n198.51.100.7 # one host\n');
    const compiled = loadPolicies({
      files: [join(d, 'a.yaml'), join(d, 'b.yaml')],
      inline: [],
      ipListFiles: { tor: join(d, 'tor.txt') },
      acrValues: DEFAULT_ACR_VALUES,
    });
    expect(compiled.policyIds).toEqual(['admin', 'tor']);
    const decide = (action: string, ip: string) =>
      compiled.evaluate({
        request: { subject: { id: 'u' }, action: { name: action }, context: { ip } },
        now: 1e9,
        history: HISTORY,
      }).decision;
    expect(decide('admin.users', '192.0.2.1')).toBe('step_up');
    expect(decide('reports.view', '203.0.113.50')).toBe('deny');
    expect(decide('reports.view', '198.51.100.7')).toBe('deny');
    expect(decide('reports.view', '192.0.2.1')).toBe('allow');
  });

  it('refuses files whose defaults disagree, naming the file', () => {
    const d = dir();
    writeFileSync(join(d, 'a.yaml'), 'policies: []\ndefault: allow\n');
    writeFileSync(join(d, 'b.yaml'), 'policies: []\ndefault: deny\n');
    expect(() =>
      loadPolicies({
        files: [join(d, 'a.yaml'), join(d, 'b.yaml')],
        inline: [],
        ipListFiles: {},
        acrValues: DEFAULT_ACR_VALUES,
      }),
    ).toThrow(/b\.yaml:2:\d+ \/default: default "deny" disagrees/);
  });

  it('locates problems across files in the file they come from (a field used with two types, a duplicate id)', () => {
    const d = dir();
    writeFileSync(
      join(d, 'a.yaml'),
      'policies:\n  - id: big\n    when: { transaction.amount: { gt: 500 } }\n    require: { level: aal2 }\ndefault: allow\n',
    );
    writeFileSync(
      join(d, 'b.yaml'),
      'policies:\n  - id: exact\n    when: { transaction.amount: "500" }\n    effect: deny\n  - id: big\n    effect: deny\ndefault: allow\n',
    );
    let error: unknown;
    try {
      loadPolicies({
        files: [join(d, 'a.yaml'), join(d, 'b.yaml')],
        inline: [],
        ipListFiles: {},
        acrValues: DEFAULT_ACR_VALUES,
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PolicyError);
    expect((error as PolicyError).message).toMatch(/b\.yaml:\d+:\d+ \/policies\/\d\//);
    expect((error as PolicyError).issues).toEqual([
      expect.objectContaining({ file: join(d, 'b.yaml'), path: '/policies/1/id', line: 5 }),
      expect.objectContaining({
        file: join(d, 'b.yaml'),
        path: '/policies/0/when/transaction.amount',
        line: 3,
        message: expect.stringMatching(/used with two types/),
      }),
    ]);
  });

  it('merges field declarations; one field declared with two types is refused', () => {
    const d = dir();
    writeFileSync(
      join(d, 'a.yaml'),
      'fields: { transaction.amount: number }\npolicies: []\ndefault: allow\n',
    );
    writeFileSync(join(d, 'b.yaml'), 'fields:\n  transaction.amount: string\npolicies: []\ndefault: allow\n');
    writeFileSync(
      join(d, 'c.yaml'),
      'fields: { transaction.currency: string }\npolicies: []\ndefault: allow\n',
    );
    const load = (...files: string[]) =>
      loadPolicies({
        files: files.map((f) => join(d, f)),
        inline: [],
        ipListFiles: {},
        acrValues: DEFAULT_ACR_VALUES,
      });
    expect(Object.keys(load('a.yaml', 'c.yaml').fields)).toEqual([
      'transaction.amount',
      'transaction.currency',
    ]);
    expect(() => load('a.yaml', 'b.yaml')).toThrow(
      /b\.yaml:2:\d+ \/fields\/transaction\.amount: "transaction\.amount" is declared string here but number in .*a\.yaml/,
    );
  });

  it('reports a missing policy file or IP list', () => {
    expect(() =>
      loadPolicies({
        files: ['/nonexistent/p.yaml'],
        inline: [],
        ipListFiles: {},
        acrValues: DEFAULT_ACR_VALUES,
      }),
    ).toThrow(/cannot read the policy file/);
    expect(() =>
      loadPolicies({
        files: [],
        inline: ['policies: []\ndefault: allow\n'],
        ipListFiles: { x: '/nonexistent' },
        acrValues: DEFAULT_ACR_VALUES,
      }),
    ).toThrow(/cannot read the IP list/);
  });

  it('tells inline text from a path', () => {
    expect(isInlinePolicyText('policies: []\ndefault: allow')).toBe(true);
    expect(isInlinePolicyText('{"policies":[],"default":"allow"}')).toBe(true);
    expect(isInlinePolicyText('./policies.yaml')).toBe(false);
    expect(isInlinePolicyText('/etc/stepgate/policies.yaml')).toBe(false);
  });

  it('reads CIDR lists with comments', () => {
    const d = dir();
    writeFileSync(join(d, 'l.txt'), '10.0.0.0/8 # private\n#all comment\n\n2001:db8::/32\n');
    expect(readIpList(join(d, 'l.txt'))).toEqual(['10.0.0.0/8', '2001:db8::/32']);
  });
});
