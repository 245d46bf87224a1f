import { createRequire } from 'node:module';
import express5, { type Express, type RequestHandler } from 'express';
import express4 from 'express4';

/** What the version-parametrised tests call on an Express module: `express()` and `express.json()`. */
export interface ExpressModule {
  (): Express;
  json(): RequestHandler;
}

const require = createRequire(import.meta.url);

/**
 * Both Express majors of the peer range `^4.21 || ^5`, with the version actually installed: 5 as
 * `express`, 4 as the `express4` alias. Express 4's own types differ from 5's (the adapter is typed
 * against the one the app compiles with); the calls these tests make are the same in both.
 */
export const EXPRESS_VERSIONS: ReadonlyArray<{ name: string; express: ExpressModule; version: string }> = [
  { name: 'express 5', express: express5, version: require('express/package.json').version },
  {
    name: 'express 4',
    express: express4 as unknown as ExpressModule,
    version: require('express4/package.json').version,
  },
];
