import { Component, CUSTOM_ELEMENTS_SCHEMA, signal } from '@angular/core';
import { createStepUpFetch, isStepUpError } from '@stepgate/sdk-core';
import type { StepUpCompleteEvent } from '@stepgate/web-widget';
import '@stepgate/web-widget'; // defines <step-up-challenge>; it becomes sdk-core's step-up handler

@Component({
  selector: 'app-root',
  // <step-up-challenge> is a custom element, not an Angular component.
  schemas: [CUSTOM_ELEMENTS_SCHEMA],
  template: `
    <form (submit)="send($event, amount.valueAsNumber)">
      <label>Amount (EUR) <input #amount type="number" value="1500" /></label>
      <button>Send to Bob</button>
    </form>
    <output>{{ status() }}</output>
    @if (method()) {
      <p>Confirmed with {{ method() }}.</p>
    }
    <step-up-challenge theme="light" (step-up-complete)="confirmed($event)"></step-up-challenge>
  `,
})
export class AppComponent {
  // A step-up answer opens <step-up-challenge>; the request is retried with the upgraded token.
  private readonly api = createStepUpFetch();
  protected readonly status = signal('');
  protected readonly method = signal('');

  protected async send(event: Event, amount: number): Promise<void> {
    event.preventDefault();
    try {
      const res = await this.api('/api/transfers', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ amount, payee: 'Bob' }),
      });
      this.status.set(res.ok ? 'Transfer sent.' : `Refused (${res.status}).`);
    } catch (error) {
      if (isStepUpError(error) && error.code === 'cancelled') this.status.set('Cancelled: nothing was sent.');
      else throw error;
    }
  }

  protected confirmed(event: Event): void {
    this.method.set((event as StepUpCompleteEvent).method);
  }
}
