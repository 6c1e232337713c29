/**
 * A secret a command needs (a password, a key, a passphrase), from standard input — never from the
 * command line, where shell history and `ps` would keep it. A pipe gives its first line; a terminal
 * is asked, without echo.
 */
export async function readSecret(prompt: string): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY) {
    let text = '';
    for await (const chunk of input) {
      text += (chunk as Buffer).toString('utf8');
      if (text.includes('\n')) break;
    }
    return text.split(/\r?\n/)[0];
  }
  process.stderr.write(prompt);
  input.setRawMode(true);
  input.resume();
  return new Promise((resolve) => {
    let typed = '';
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') {
          input.setRawMode(false);
          input.pause();
          input.off('data', onData);
          process.stderr.write('\n');
          return resolve(typed);
        }
        if (char === '\u0003') process.exit(130);
        typed = char === '\u007f' ? typed.slice(0, -1) : typed + char;
      }
    };
    input.on('data', onData);
  });
}
