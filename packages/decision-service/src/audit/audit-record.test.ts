import { createHash } from 'node:crypto';
import { canonicalJson } from '@stepgate/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AuditInput } from './audit-event.js';
import {
  auditEventText,
  buildAuditEvent,
  hashedText,
  indexColumns,
  REPORT_ONLY_MARK,
  recordHash,
  replayText,
} from './audit-record.js';

const JWT = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJlc2lnbmF0dXJl';

describe('buildAuditEvent', () => {
  it('S27: copies only the typed fields; unknown members (a code, a token) are dropped', () => {
    const body = buildAuditEvent(
      {
        type: 'challenge.failed',
        who: { userId: 'u1', apiKeyId: 'key_1' },
        what: { method: 'totp' },
        challengeId: 'chl_1',
        detail: { attemptsLeft: 2, failure: 'wrong_code' },
        // @ts-expect-error — the input type has no place for a code
        code: '492817',
        token: JWT,
      },
      Date.UTC(2030, 0, 1),
    );
    const text = JSON.stringify(body);
    expect(text).not.toContain('492817');
    expect(text).not.toContain(JWT);
    expect(body).toMatchObject({
      type: 'challenge.failed',
      who: { userId: 'u1' },
      detail: { attemptsLeft: 2 },
    });
  });

  it('S27: token- and key-shaped strings are redacted wherever they appear; digit codes are not outcome codes', () => {
    const body = buildAuditEvent(
      {
        type: 'decision',
        decisionId: 'dec_1',
        who: { userId: 'u1', sessionId: `sgk_${'a'.repeat(43)}` },
        what: { action: 'x' },
        where: {},
        decision: 'deny',
        reasons: [{ policyId: 'p', code: 'c', detail: `saw ${JWT}`, values: { nested: [JWT] } }],
        risk: { score: 1, level: 'low', signals: { t: JWT } },
        reportOnly: [],
        policyVersion: 'v1',
      },
      0,
    );
    expect(JSON.stringify(body)).not.toMatch(/eyJhbGci|sgk_a/);
    const failed = buildAuditEvent(
      {
        type: 'challenge.failed',
        who: {},
        outcome: '123456',
        detail: { failure: '654321', sentTo: '+33612345678' },
      },
      0,
    );
    expect(JSON.stringify(failed)).not.toMatch(/123456|654321|612345678/);
  });

  it('the writer’s hash text is the RFC 8785 JSON of { event, prevHash, seq }', () => {
    const event = buildAuditEvent({ type: 'factor.added', who: { userId: 'é' }, factorId: 'f1' }, 0);
    const prev = 'ab'.repeat(32);
    expect(hashedText(7, prev, canonicalJson(event))).toBe(canonicalJson({ seq: 7, prevHash: prev, event }));
    expect(recordHash(7, prev, event)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('auditEventText', () => {
  const anyJson = fc.jsonValue({ maxDepth: 4 });
  const text = fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.constantFrom('\ud800', 'a\udfffb', '10', '9'),
  );
  const dict = fc.dictionary(
    fc.oneof(text, fc.constantFrom('0', '1', '10', '2', '__proto__', 'a', 'B')),
    anyJson,
    {
      maxKeys: 6,
    },
  );

  /** The stored text is canonical (what verify recomputes) and the columns are what verify reads back. */
  const stored = (input: AuditInput) => {
    const { text: stored, columns } = auditEventText(input, 0);
    const event = JSON.parse(stored);
    expect(stored).toBe(canonicalJson(event));
    expect(columns).toEqual(indexColumns(event));
    return event;
  };

  it('writes the RFC 8785 text of the event and its index columns for any decision and lifecycle input', () => {
    fc.assert(
      fc.property(text, text, dict, dict, fc.double(), (policyId, detail, values, signals, score) => {
        stored({
          type: 'decision',
          decisionId: detail,
          who: { userId: policyId, sessionId: detail },
          what: { action: policyId },
          where: { ip: detail },
          decision: 'allow',
          reasons: [{ policyId, code: detail, detail, values }],
          risk: { score, level: 'low', signals },
          reportOnly: [{ policyId, decision: 'deny', reasons: [{ policyId, code: 'c', values: signals }] }],
          policyVersion: policyId,
        });
        stored({
          type: 'challenge.failed',
          who: { userId: detail },
          detail: {
            failure: policyId,
            attemptsLeft: score,
            sentTo: detail,
            channel: 'sms',
            reason: 'no_factor_at_level',
            provenLevel: 'aal2',
            levelAboveProof: true,
            contact: detail,
          },
          reasons: [{ policyId, code: detail, values }],
        });
      }),
      { numRuns: 500 },
    );
  });

  it('an event with report-only outcomes always contains REPORT_ONLY_MARK (the overview skips the others)', () => {
    fc.assert(
      fc.property(text, text, dict, fc.boolean(), (policyId, detail, values, any) => {
        const { text: stored } = auditEventText(
          {
            type: 'decision',
            decisionId: detail,
            who: { userId: policyId },
            what: { action: policyId },
            where: { ip: detail },
            decision: 'allow',
            // A string that spells the mark must not be taken for it (it is escaped).
            reasons: [{ policyId, code: detail, detail: `${detail}${REPORT_ONLY_MARK}`, values }],
            risk: { score: 0, level: 'low', signals: values },
            reportOnly: any ? [{ policyId, decision: 'deny', reasons: [] }] : [],
            policyVersion: policyId,
          },
          0,
        );
        if (any) expect(stored).toContain(REPORT_ONLY_MARK);
        // Without outcomes only a member named so in the values could spell it, never a string.
        else if (!JSON.stringify(values).includes('"reportOnly":'))
          expect(stored).not.toContain(REPORT_ONLY_MARK);
      }),
      { numRuns: 300 },
    );
  });

  it('S27: a replay input is stored as its RFC 8785 text, scrubbed, with the digest of that text', () => {
    fc.assert(
      fc.property(dict, anyJson, (request, history) => {
        const { text, digest } = replayText({ v: 1, request, history, token: JWT });
        expect(text).toBe(canonicalJson(JSON.parse(text)));
        expect(text).not.toContain(JWT);
        expect(digest).toBe(createHash('sha256').update(text).digest('hex'));
      }),
      { numRuns: 500 },
    );
    // A `__proto__` member stays a member: it neither vanishes nor replaces the copy's prototype.
    const { text } = replayText(JSON.parse('{"__proto__":{"polluted":true},"a":1}'));
    expect(text).toBe('{"__proto__":{"polluted":true},"a":1}');
  });
});

describe('one hash formula', () => {
  it('the writer thread runs the compiled text of hashedText, not a copy of its own', async () => {
    const { WRITER_SOURCE, runAuditWriter } = await import('./writer-worker.js');
    expect(WRITER_SOURCE).toContain(hashedText.toString());
    expect(WRITER_SOURCE).toContain(runAuditWriter.toString());
    expect(runAuditWriter.toString()).toContain('io.hashedText(seq, prev, it.event)');
    expect(WRITER_SOURCE).not.toContain('"prevHash":"\' + prev');
  });
});
