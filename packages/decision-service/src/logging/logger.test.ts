import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

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
});
