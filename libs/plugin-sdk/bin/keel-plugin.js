#!/usr/bin/env node
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS launcher */
// The keel-plugin command. npm links a bin at install time, before anything is built, so this
// committed launcher is what it links; it loads the CLI that `npm run build` emits.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const cli = join(__dirname, '..', 'dist', 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write(
    'keel-plugin: the CLI is not built (dist/cli.js is missing): run `npm run build` in the Keel repository\n',
  );
  process.exit(1);
}
require(cli);
