import { TransferForm } from './transfer-form';

// A server component: the form and the <step-up-challenge> element are in the HTML the server
// sends; the element upgrades when the client bundle hydrates the page.
export default function Page() {
  return (
    <main>
      <h1>Transfer</h1>
      <TransferForm />
    </main>
  );
}
