import { Writable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLogger, logCensored } from './logger.js';

function sink() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, stream };
}

/** The JSON lines written, without the time each was written at. */
const written = (lines: string[]) =>
  lines.map((line) => {
    const { time: _time, ...rest } = JSON.parse(line) as Record<string, unknown>;
    return rest;
  });

const KEYS = [
  'token',
  'code',
  'apiKey',
  'deviceToken',
  'stepUpToken',
  'secret',
  'user',
  'detail',
  'values',
  'req',
];
const line = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(
      fc.string(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      // Codes a line may hold under `code`: named ones (kept) and one-time codes (censored).
      fc.constantFrom('policy_matched', 'ECONNREFUSED', 'invalid-code', '123456', 'l23456', 'E2BIG'),
    ),
    fc.array(tie('value'), { maxLength: 3 }),
    tie('object'),
  ),
  object: fc.dictionary(fc.constantFrom(...KEYS), tie('value'), { maxKeys: 4 }),
})).object;
describe('createLogger', () => {
  it('S27: redacts tokens, codes, secrets and Authorization headers', () => {
    const { lines, stream } = sink();
    const log = createLogger('info', stream);
    log.info(
      {
        req: { headers: { authorization: 'Bearer sgk_secret', 'step-up-token': 'eyJ.tok.en' } },
        body: { stepUpToken: 'eyJ.a.b', code: '123456', context: { device: { deviceToken: 'eyJ.d.t' } } },
        secret: 'JBSWY3DPEHPK3PXP',
        apiKey: 'sgk_x',
        user: 'alice',
      },
      'decided',
    );
    const line = lines.join('');
    for (const leaked of [
      'sgk_secret',
      'eyJ.tok.en',
      'eyJ.a.b',
      '123456',
      'eyJ.d.t',
      'JBSWY3DPEHPK3PXP',
      'sgk_x',
    ]) {
      expect(line).not.toContain(leaked);
    }
    expect(line).toContain('alice');
    expect(line).toContain('[Redacted]');
  });

  it('S27: writes error and reason codes, never a one-time code', () => {
    const { lines, stream } = sink();
    const log = createLogger('info', stream);
    const err = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    log.warn({ err }, 'PostgreSQL connection lost');
    log.info(
      {
        event: { reasons: [{ code: 'policy_matched' }, { code: 'risk.new_device' }] },
        error: { code: 'invalid_request' },
        body: { code: '123456' },
        typed: { code: 654321 },
        spaced: { code: '123 456' },
        mistyped: { code: 'l23456' },
        long: { code: 'a'.repeat(65) },
      },
      'lines',
    );
    const [warned, info] = written(lines) as Array<Record<string, { code?: unknown; reasons?: unknown }>>;
    expect(warned!.err!.code).toBe('ECONNREFUSED');
    expect(info!.event!.reasons).toEqual([{ code: 'policy_matched' }, { code: 'risk.new_device' }]);
    expect(info!.error!.code).toBe('invalid_request');
    for (const field of ['body', 'typed', 'spaced', 'mistyped', 'long']) {
      expect(info![field]!.code, field).toBe('[Redacted]');
    }
  });
});

describe('logCensored', () => {
  it('writes what the redacting logger writes, for any line', () => {
    fc.assert(
      fc.property(line, fc.constantFrom('info', 'warn') as fc.Arbitrary<'info' | 'warn'>, (fields, level) => {
        const redacting = sink();
        const censoring = sink();
        createLogger(level, redacting.stream).info(structuredClone(fields), 'line');
        const log = createLogger(level, censoring.stream);
        logCensored(log, fields, 'line');
        expect(written(censoring.lines)).toEqual(written(redacting.lines));
      }),
      { numRuns: 500 },
    );
  });

  it('censors down to the fourth level, as the wildcards do, and leaves the line it was given alone', () => {
    const { lines, stream } = sink();
    const log = createLogger('info', stream);
    const event = {
      reasons: [{ code: 'policy_matched', token: 'eyJ.r.t', values: { token: 'eyJ.a.b' } }],
      who: { userId: 'u1' },
    };
    const fields = { event, deep: { a: { b: { c: { token: 'kept-at-level-5' } } } } };
    logCensored(log, fields, 'challenge.created');
    const [out] = written(lines) as Array<{ event: typeof event; deep: typeof fields.deep }>;
    expect(out!.event.reasons[0]!.token).toBe('[Redacted]'); // event.reasons.0.token: level 4
    expect(out!.event.reasons[0]!.code).toBe('policy_matched'); // a named code, kept
    expect(out!.event.reasons[0]!.values).toEqual({ token: 'eyJ.a.b' }); // level 5: not a path
    expect(out!.deep.a.b.c.token).toBe('kept-at-level-5');
    expect(event.reasons[0]!.token).toBe('eyJ.r.t'); // copied, not changed
  });

  it('follows the service logger level', () => {
    const { lines, stream } = sink();
    const log = createLogger('info', stream);
    logCensored(log, { n: 1 }, 'one');
    log.level = 'warn';
    logCensored(log, { n: 2 }, 'two');
    log.level = 'info';
    logCensored(log, { n: 3 }, 'three');
    expect(written(lines).map((l) => l.msg)).toEqual(['one', 'three']);
  });
});
