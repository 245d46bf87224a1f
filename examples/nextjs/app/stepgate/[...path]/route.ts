import { stepgate } from '../../../lib/stepgate';

// The challenge proxy: the widget reaches /stepgate/v1/challenges/… through the app's origin.
async function proxy(request: Request): Promise<Response> {
  return (await stepgate().proxy(request)) ?? new Response('Not found', { status: 404 });
}

export { proxy as GET, proxy as POST };
