'use client';

import { isStepUpError, useStepUp } from '@stepgate/react';
import { useState } from 'react';
import { StepUpChallenge } from './step-up-challenge';

export function TransferForm() {
  const [amount, setAmount] = useState(1500);
  const [status, setStatus] = useState('');
  // On a step-up answer, <StepUpChallenge> runs the challenge; then the request runs again
  // with the Step-Up-Token header.
  const transfer = useStepUp(({ headers, signal }, value: number) =>
    fetch('/api/transfers', {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ amount: value, payee: 'Bob' }),
      signal,
    }),
  );
  const send = async () => {
    try {
      const res = await transfer(amount);
      setStatus(res.ok ? 'Transfer sent.' : `Refused (${res.status}).`);
    } catch (error) {
      if (isStepUpError(error) && error.code === 'cancelled') setStatus('Cancelled: nothing was sent.');
      else throw error;
    }
  };
  return (
    <>
      <label>
        Amount (EUR){' '}
        <input type="number" value={amount} onChange={(e) => setAmount(Number(e.target.value))} />
      </label>
      <button type="button" onClick={send}>
        Send to Bob
      </button>
      <output>{status}</output>
      <StepUpChallenge theme="light" />
    </>
  );
}
