'use client';

// @stepgate/web-widget imports cleanly in Node (issue 19), so the element's React wrapper renders
// on the server too: the element is in the server's HTML and upgrades on hydration.
export { StepUpChallenge } from '@stepgate/react';
