/**
 * The React 19 page the tests drive: <StepUpChallenge> with object props and event props, two
 * fetchers wrapped by useStepUp() (one returns the Response, one throws an error carrying it, as
 * ky's HTTPError does), a way to unmount the caller mid-step-up, and <StepUpEnroll>.
 */
import { useState } from 'react';
import { isStepUpError, StepUpChallenge, StepUpEnroll, useStepUp } from '../../src/index.js';

/** What the page records for the test (read through `window.log`). */
export interface PageLog {
  attempts: Array<{ retry: boolean; hasToken: boolean; hasContext: boolean }>;
  events: string[];
}

declare global {
  interface Window {
    log: PageLog;
  }
}

window.log = { attempts: [], events: [] };

type Receipt = { ok: true; amount: number; payee: string };

function Transfer({ onResult }: { onResult: (text: string) => void }) {
  const [amount, setAmount] = useState('1500');
  const post = (headers: Readonly<Record<string, string>>, signal: AbortSignal, value: number) =>
    fetch('/api/transfers', {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ amount: value, payee: 'Bob' }),
      signal,
    });
  const record = (attempt: { retry: boolean; headers: Readonly<Record<string, string>> }) =>
    window.log.attempts.push({
      retry: attempt.retry,
      hasToken: 'Step-Up-Token' in attempt.headers,
      hasContext: 'Step-Up-Context' in attempt.headers,
    });
  // Returns the step-up Response; the result type is Receipt | Response.
  const returning = useStepUp(async (attempt, value: number) => {
    record(attempt);
    const res = await post(attempt.headers, attempt.signal, value);
    return res.ok ? ((await res.json()) as Receipt) : res;
  });
  // Throws an error that carries the Response (ky's HTTPError shape); the result type is Receipt.
  const throwing = useStepUp(async (attempt, value: number): Promise<Receipt> => {
    record(attempt);
    const res = await post(attempt.headers, attempt.signal, value);
    if (!res.ok) throw Object.assign(new Error(`HTTP ${res.status}`), { response: res });
    return (await res.json()) as Receipt;
  });
  const run = async (call: (value: number) => Promise<Receipt | Response>) => {
    try {
      const result = await call(Number(amount));
      onResult(
        result instanceof Response ? `status ${result.status}` : `sent ${result.amount} to ${result.payee}`,
      );
    } catch (error) {
      onResult(isStepUpError(error) ? `StepUpError ${error.code}` : `error ${String(error)}`);
    }
  };
  return (
    <div>
      <input id="amount" value={amount} onChange={(e) => setAmount(e.target.value)} />
      <button type="button" id="send-returning" onClick={() => void run(returning)}>
        Send
      </button>
      <button type="button" id="send-throwing" onClick={() => void run(throwing)}>
        Send (throwing fetcher)
      </button>
    </div>
  );
}

export function TestApp() {
  const [result, setResult] = useState('');
  const [mounted, setMounted] = useState(true);
  const [messages] = useState({ cancel: 'Not now' });
  return (
    <main>
      {mounted ? <Transfer onResult={setResult} /> : null}
      <button type="button" id="unmount" onClick={() => setMounted(false)}>
        Unmount
      </button>
      <output id="result">{result}</output>
      <StepUpChallenge
        theme="dark"
        rememberDevice
        messages={messages}
        onStepUpComplete={(event) => window.log.events.push(`complete ${event.method} ${event.answer.acr}`)}
        onStepUpCancel={(event) => window.log.events.push(`cancel ${event.cancelable}`)}
        onStepUpMethodChange={(event) => window.log.events.push(`method ${event.method}`)}
      />
      <StepUpEnroll
        serviceUrl="/stepgate"
        ticket="enr_unknownTicketForTheTest"
        onStepUpError={(event) => window.log.events.push(`enroll-error ${event.error.code}`)}
      />
    </main>
  );
}
