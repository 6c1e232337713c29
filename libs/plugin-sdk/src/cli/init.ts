import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CliError, usageError } from './cli-error';

/** Dify's rule for plugin and author names (reference §5). */
export const NAME_PATTERN = /^[a-z0-9_-]{1,128}$/;
export const AUTHOR_PATTERN = /^[a-z0-9_-]{1,64}$/;

export interface InitOptions {
  name: string;
  author: string;
  /** Where `./<name>/` is created. */
  cwd: string;
  now?: Date;
}

function title(name: string): string {
  return name
    .split(/[-_]+/)
    .filter(Boolean)
    .map((word) => word[0].toUpperCase() + word.slice(1))
    .join(' ');
}

/** The tool provider's name: Dify wants identifiers (snake_case) there. */
function providerName(name: string): string {
  const snake = name.replace(/-/g, '_').replace(/^[^a-z]+/, '');
  return snake || 'tools';
}

/** The files of a new plugin, by path. */
export function skeleton(options: InitOptions): Record<string, string> {
  const { name, author } = options;
  const provider = providerName(name);
  const label = title(name) || name;
  const createdAt = (options.now ?? new Date()).toISOString();
  return {
    'manifest.yaml': `# The plugin's manifest, in Dify's format. The runner starts \`node <entrypoint>\` with the SDK
# that \`keel-plugin pack\` puts into node_modules/@keel/plugin-sdk.
version: 0.0.1
type: plugin
author: ${author}
name: ${name}
label:
  en_US: ${label}
description:
  en_US: ${label}, a Keel plugin.
icon: icon.svg
created_at: ${createdAt}
resource:
  memory: 268435456
  permission:
    tool:
      enabled: true
plugins:
  tools:
    - provider/${provider}.yaml
meta:
  version: 0.0.1
  arch:
    - amd64
    - arm64
  runner:
    language: nodejs
    version: '20'
    entrypoint: main.js
`,
    [`provider/${provider}.yaml`]: `# The tool provider: what the console lists. Its name is the \`provider\` that main.js registers.
identity:
  author: ${author}
  name: ${provider}
  label:
    en_US: ${label}
  description:
    en_US: Tools of the ${label} plugin.
  icon: icon.svg
  tags:
    - utilities
credentials_for_provider: {}
tools:
  - tools/echo.yaml
`,
    'tools/echo.yaml': `# What the console and the model see of the tool. Keep \`parameters\` equal to the declaration in
# main.js, which is what validates the arguments at run time.
identity:
  name: echo
  author: ${author}
  label:
    en_US: Echo
description:
  human:
    en_US: Repeats a text.
  llm: Repeats the given text, as many times as asked. Use it to test that the plugin works.
parameters:
  - name: text
    type: string
    required: true
    label:
      en_US: Text
    human_description:
      en_US: The text to repeat.
    llm_description: The text to repeat.
    form: llm
  - name: times
    type: number
    required: false
    default: 1
    min: 1
    max: 10
    label:
      en_US: Times
    human_description:
      en_US: How many times to repeat it.
    llm_description: How many times to repeat the text, from 1 to 10.
    form: llm
`,
    'main.js': `'use strict';
// The plugin's entrypoint (manifest.yaml: meta.runner.entrypoint). The host runs it as its own
// process and speaks JSON lines with it over stdin and stdout, so write nothing to stdout:
// console.* and ctx.log are sent to the host as log messages.
const { definePlugin, defineToolProvider, defineTool, messages } = require('@keel/plugin-sdk');

const echo = defineTool({
  name: 'echo',
  // Same as tools/echo.yaml. The arguments arrive validated and converted: args.times is a number.
  parameters: [
    { name: 'text', type: 'string', required: true, form: 'llm', llm_description: 'The text to repeat.' },
    { name: 'times', type: 'number', default: 1, min: 1, max: 10, form: 'llm' },
  ],
  // Each yield is sent to the host at once. ctx has the credentials, a log, a cancel signal, and
  // the calls back into Keel: ctx.invokeLlm, ctx.invokeTool, ctx.storage.
  async *invoke(args, ctx) {
    ctx.log.info('echo %d time(s)', args.times);
    for (let i = 0; i < args.times; i++) {
      yield messages.text(args.text);
    }
  },
});

const plugin = definePlugin({
  tools: [defineToolProvider({ name: '${provider}', tools: [echo] })],
});

module.exports = plugin;
if (require.main === module) plugin.start();
`,
    'icon.svg': `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="24" height="24"><rect x="2" y="2" width="20" height="20" rx="5" fill="#1f6feb"/><path d="M7 12h10M12 7v10" stroke="#fff" stroke-width="2" stroke-linecap="round"/></svg>
`,
    'README.md': `# ${label}

A Keel plugin with one tool, \`echo\`, in plain JavaScript (\`main.js\`), made by \`keel-plugin init\`.

- \`manifest.yaml\` — the plugin (Dify's manifest format); \`provider/${provider}.yaml\` and
  \`tools/echo.yaml\` — what the console shows and the model reads.
- \`main.js\` — the code: \`definePlugin\`, \`defineToolProvider\`, \`defineTool\` from \`@keel/plugin-sdk\`.

Try it locally (type a request per line; Ctrl-D ends):

    keel-plugin run .
    {"tool": "echo", "parameters": {"text": "hi", "times": 2}}

Package and sign it (\`pack\` puts the SDK runtime into the package, so it needs no \`npm install\`):

    keel-plugin pack . -o ${name}.keelpkg
    keel-plugin keygen                      # once: private.pem and public.pem
    keel-plugin sign ${name}.keelpkg --key private.pem
    keel-plugin verify ${name}.keelpkg --pubkey public.pem

Keep \`private.pem\` out of version control.
`,
    '.gitignore': `*.keelpkg
private.pem
node_modules/
`,
  };
}

/** `keel-plugin init <name>`: create `./<name>/` with a plugin that packs as it is. */
export async function init(options: InitOptions): Promise<string> {
  if (!NAME_PATTERN.test(options.name)) {
    throw usageError(`"${options.name}" is not a plugin name: use 1 to 128 of a-z, 0-9, _ and -`);
  }
  if (!AUTHOR_PATTERN.test(options.author)) {
    throw usageError(`"${options.author}" is not an author name: use 1 to 64 of a-z, 0-9, _ and -`);
  }
  const root = resolve(options.cwd, options.name);
  if (existsSync(root)) throw new CliError(`${options.name} already exists; choose another name or remove it`);
  const files = skeleton(options);
  for (const [path, content] of Object.entries(files)) {
    const target = join(root, path);
    await mkdir(join(target, '..'), { recursive: true });
    await writeFile(target, content);
  }
  return root;
}
