import { main } from './main';

// The keel-plugin command (bundled into dist/cli.js; bin/keel-plugin.js loads it).
void main(process.argv.slice(2), {
  cwd: process.cwd(),
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  // eslint-disable-next-line no-restricted-syntax -- a CLI, not the server: the plugin it starts inherits its environment
  env: process.env,
}).then((code) => {
  process.exitCode = code;
});
