import { afterEach, describe, expect, it } from 'vitest';
import { compilePolicy, type PolicyDocument } from '../src/index.js';
import { history, input, request } from './fixtures.js';

const g = globalThis as { __pwned?: number };
const payloads = [
  "'); globalThis.__pwned = 1; ('",
  '"); globalThis.__pwned = 1; ("',
  '` + (globalThis.__pwned = 1) + `',
  '*/ globalThis.__pwned = 1; /*',
  '\n globalThis.__pwned = 1; //',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the payload is meant to look like a placeholder
  '${globalThis.__pwned = 1}',
  '\\u0027); globalThis.__pwned = 1; //',
  '</script><script>globalThis.__pwned=1</script>',
  'constructor',
  '__proto__',
];

/** A document that puts `s` into every string field a document has. */
function documentWith(s: string): PolicyDocument {
  return {
    ipLists: { list: ['10.0.0.0/8'] },
    policies: [
      {
        id: 'p1',
        description: s,
        when: {
          action: [s, `${s}.*`, '**'],
          'transaction.ref': { in: [s, 'other'] },
          'transaction.amount': { in: [2, 1] },
          'resource.type': s,
          'resource.attributes.owner': { glob: [s, `${s}*`] },
          'subject.roles': { eq: s },
          not: { 'risk.level': [s, 'high'] },
          any: [{ 'transaction.note': s }, { not: { 'context.userAgent': { in: [s] } } }],
        },
        effect: 'deny',
      },
      { id: 'p2', when: { 'risk.device.webview': s }, require: { level: 'aal2', methods: ['totp'] } },
    ],
    default: 'allow',
  };
}

describe('generated code takes document values only from its constant table', () => {
  afterEach(() => {
    delete g.__pwned;
  });

  it.each(payloads)('a string field holding %j is data, never code', (s) => {
    const policy = compilePolicy(documentWith(s));
    const req = request(s, {
      subject: { id: 'u1', roles: [s] },
      transaction: { amount: 1, ref: s, note: s },
      resource: { type: s, attributes: { owner: s } },
    });
    const v = policy.evaluate(input(req, history()));
    expect(v.decision).toBe('deny');
    expect(v.reasons[0]?.values).toMatchObject({ action: s, 'resource.type': s });
    policy.whatIf(input(request('x'), history()));
    expect(g.__pwned).toBeUndefined();
  });

  it('payloads in field names and list names are rejected as invalid, not executed', () => {
    for (const s of payloads) {
      const doc = {
        ipLists: { [s]: ['10.0.0.0/8'] },
        policies: [{ id: 'p', when: { [`transaction.${s}`]: 1 }, effect: 'deny' }],
        default: 'allow',
      };
      try {
        compilePolicy(doc as PolicyDocument).evaluate(input(request('x', { transaction: { [s]: 1 } })));
      } catch {
        // rejected: fine
      }
      const named = {
        policies: [{ id: 'p', when: { [`transaction.${s.replace(/\./g, '')}`]: 1 }, effect: 'deny' }],
        default: 'allow',
      };
      try {
        const v = compilePolicy(named as PolicyDocument).evaluate(
          input(request('x', { transaction: { [s.replace(/\./g, '')]: 1 } })),
        );
        if (!['constructor', '__proto__'].includes(s)) expect(v.decision).toBe('deny');
      } catch {
        // rejected: fine
      }
    }
    expect(g.__pwned).toBeUndefined();
  });
});
