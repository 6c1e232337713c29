/** Where a command writes: standard output for results, standard error for problems. */
export interface CommandOutput {
  say(line: string): void;
  error(line: string): void;
}

export const processOutput: CommandOutput = {
  say: (line) => process.stdout.write(`${line}\n`),
  error: (line) => process.stderr.write(`${line}\n`),
};
