import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** oauth2-mock-server in a child process (see oidc-provider.mjs), spoken to over HTTP on loopback. */
export class OidcProvider {
  private constructor(
    private readonly child: ChildProcess,
    readonly issuer: string,
  ) {}

  static async start(): Promise<OidcProvider> {
    const child = spawn(process.execPath, [join(__dirname, 'oidc-provider.mjs')], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const issuer = await new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout });
      lines.once('line', (line) => resolve((JSON.parse(line) as { issuer: string }).issuer));
      child.once('exit', (code) => reject(new Error(`OIDC provider exited early (${code})`)));
    });
    return new OidcProvider(child, issuer);
  }

  /** The authorize-URL parameter that makes the provider sign in someone with these claims. */
  static as(claims: Record<string, unknown>): string {
    return `&test_user=${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin?.end();
    await exited;
  }
}
