#!/usr/bin/env node
// `pnpm demo`. The Acme Bank demo (issue "Demo, end-to-end proof and docs") is not built yet;
// until it lands this runs what exists today and says so plainly.
console.log(`Stepgate demo
-------------
The Acme Bank demo app has not landed yet. What exists today:
  - the workspace and @stepgate/protocol (wire types, schemas, codecs)
Run the tests with: pnpm test`);
