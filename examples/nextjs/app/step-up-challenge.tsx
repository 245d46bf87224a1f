'use client';

// Interim, until @stepgate/web-widget imports cleanly in Node (issue 19: importing it on the
// server throws "document is not defined"): the element's React wrapper loads in the browser
// only. With that fix on main this file becomes
//   export { StepUpChallenge } from '@stepgate/react';
// and the element is in the server's HTML too.
import dynamic from 'next/dynamic';

export const StepUpChallenge = dynamic(() => import('@stepgate/react').then((m) => m.StepUpChallenge), {
  ssr: false,
});
