#!/usr/bin/env node
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS launcher */
// The keel command (`npx keel` in the project). A committed launcher, because npm links a bin at
// install time, before anything is built; it loads the CLI that `npm run build` emits.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const cli = join(__dirname, '..', 'dist', 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write('keel: the CLI is not built (dist/cli.js is missing): run `npm run build` first\n');
  process.exit(1);
}
require(cli);
