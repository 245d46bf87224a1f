import { stepgate } from '../../../lib/stepgate';

type Transfer = { amount: number; payee: string };
let guarded: ((request: Request) => Promise<Response>) | undefined;

// POST /api/transfers: a transfer over the policy's threshold answers 401 with a step-up
// challenge; the browser's retry with the Step-Up-Token header runs the handler.
export async function POST(request: Request): Promise<Response> {
  guarded ??= stepgate().requireStepUp(
    {
      action: 'payments.transfer',
      transaction: async (req) => {
        const { amount, payee } = (await req.clone().json()) as Transfer;
        return { amount, currency: 'EUR', payee };
      },
    },
    async (req, { stepUp }) => {
      const { amount, payee } = (await req.json()) as Transfer;
      return Response.json({ ok: true, decisionId: stepUp.decisionId, amount, payee });
    },
  );
  return guarded(request);
}
