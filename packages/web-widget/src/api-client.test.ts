import { expect } from '@open-wc/testing';
import { HttpResponse, http } from 'msw';
import { BASE, startWorker, worker } from '../test/msw.js';
import { assertValid } from '../test/schemas.js';
import {
  appendPath,
  challengeUrlFor,
  getChallenge,
  startTotpEnrollment,
  verifyMethod,
} from './api-client.js';
import { WidgetError } from './errors.js';

async function rejection(promise: Promise<unknown>): Promise<WidgetError> {
  try {
    await promise;
  } catch (error) {
    return error as WidgetError;
  }
  throw new Error('expected a rejection');
}

describe('api-client', () => {
  before(() => startWorker());
  afterEach(() => worker.resetHandlers());

  it('derives /start and /verify by appending to challengeUrl, keeping a query string', () => {
    expect(appendPath('https://app.example/stepgate/v1/challenges/chl_1?x=1', '/verify')).to.equal(
      'https://app.example/stepgate/v1/challenges/chl_1/verify?x=1',
    );
    expect(challengeUrlFor('https://app.example/stepgate/', 'chl a/b')).to.equal(
      'https://app.example/stepgate/v1/challenges/chl%20a%2Fb',
    );
  });

  it('maps challenge_failed to a WidgetError with attemptsLeft and status', async () => {
    const url = `${BASE}/v1/challenges/chl_x`;
    const body = assertValid('challengeFailed', {
      error: { code: 'challenge_failed', message: 'Verification failed', attemptsLeft: 2 },
    });
    worker.use(http.post(`${url}/verify`, () => HttpResponse.json(body, { status: 400 })));
    const error = await rejection(verifyMethod(url, { method: 'totp', code: '000000' }));
    expect(error).to.be.instanceOf(WidgetError);
    expect([error.code, error.status, error.attemptsLeft]).to.deep.equal(['challenge_failed', 400, 2]);
  });

  it('a non-JSON error answer is invalid_response with its status', async () => {
    const url = `${BASE}/v1/challenges/chl_y`;
    worker.use(http.get(url, () => new HttpResponse('<h1>Bad gateway</h1>', { status: 502 })));
    const error = await rejection(getChallenge(url));
    expect([error.code, error.status]).to.deep.equal(['invalid_response', 502]);
  });

  it('an answer of the wrong shape is invalid_response', async () => {
    const url = `${BASE}/v1/challenges/chl_z`;
    worker.use(http.post(`${url}/verify`, () => HttpResponse.json({ ok: true })));
    const error = await rejection(verifyMethod(url, { method: 'totp', code: '123456' }));
    expect(error.code).to.equal('invalid_response');
  });

  it('refuses a TOTP enrollment whose URI is not otpauth:// (it becomes a QR code)', async () => {
    const url = `${BASE}/v1/enrollments/enr_q`;
    const body = { secret: 'JBSWY3DPEHPK3PXPJBSWY3DP', otpauthUri: 'https://evil.example/' };
    worker.use(http.post(`${url}/totp`, () => HttpResponse.json(body)));
    expect((await rejection(startTotpEnrollment(url))).code).to.equal('invalid_response');
  });

  it('a network failure is network_error; an abort rethrows the reason', async () => {
    const url = `${BASE}/v1/challenges/chl_n`;
    worker.use(http.get(url, () => HttpResponse.error()));
    expect((await rejection(getChallenge(url))).code).to.equal('network_error');
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    const error = await rejection(getChallenge(url, { signal: controller.signal }));
    expect((error as Error).message).to.equal('stop');
  });

  it('refuses a URL on another origin before any request: origin_not_allowed (issue 15)', async () => {
    const sent: string[] = [];
    worker.use(
      http.all('https://evil.example/*', ({ request }) => {
        sent.push(request.url);
        return HttpResponse.json({ id: 'chl_e', methods: [], expiresAt: 'x', token: 't' });
      }),
    );
    const url = 'https://evil.example/v1/challenges/chl_e';
    for (const call of [
      () => getChallenge(url),
      () => verifyMethod(url, { method: 'totp', code: '123456' }),
      () => getChallenge(url, { allowedOrigins: ['https://auth.example.test'] }),
      () => startTotpEnrollment('https://evil.example/v1/enrollments/enr_e'),
      () => getChallenge('data:application/json,{}'),
    ]) {
      const error = await rejection(call());
      expect(error).to.be.instanceOf(WidgetError);
      expect(error.code).to.equal('origin_not_allowed');
    }
    expect(sent).to.deep.equal([]);
  });

  it('fetches from an origin of allowedOrigins, written any way URL accepts it (issue 15)', async () => {
    const url = 'https://auth.example.test/v1/challenges/chl_ok';
    const view = assertValid('challengeView', {
      id: 'chl_ok',
      status: 'pending',
      action: 'payments.transfer',
      level: 'aal2',
      acr: 'urn:stepgate:aal2',
      methods: [{ method: 'totp' }],
      attemptsLeft: 5,
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
    });
    worker.use(http.get(url, () => HttpResponse.json(view)));
    expect(await getChallenge(url, { allowedOrigins: ['https://Auth.Example.test/'] })).to.deep.equal(view);
  });

  it('does not follow a redirect, which would carry the body past the origin check (issue 15)', async () => {
    const url = `${BASE}/v1/challenges/chl_r`;
    const sent: string[] = [];
    worker.use(
      http.post(
        `${url}/verify`,
        () =>
          new HttpResponse(null, {
            status: 307,
            headers: { location: 'https://evil.example/v1/challenges/chl_r/verify' },
          }),
      ),
      http.all('https://evil.example/*', async ({ request }) => {
        sent.push(await request.text());
        return HttpResponse.json({ token: 't' });
      }),
    );
    const error = await rejection(verifyMethod(url, { method: 'totp', code: '123456' }));
    expect(error.code).to.equal('network_error');
    expect(sent).to.deep.equal([]);
  });

  it('the test mocks are checked against the protocol schemas', () => {
    expect(() => assertValid('challengeView', { id: 'chl_1', status: 'pending' })).to.throw(/challengeView/);
    expect(() => assertValid('verifyRequest', { method: 'totp', code: '123456', extra: 1 })).to.throw();
  });
});
