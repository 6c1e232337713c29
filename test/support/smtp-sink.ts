import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { freePort } from './server-process';

/**
 * A real SMTP server (smtp-server) on loopback that keeps what it receives, parsed. Recipients
 * listed in `refuse` are answered 550, as a mailbox that does not exist would be.
 */
export class SmtpSink {
  readonly received: ParsedMail[] = [];
  readonly refusedAttempts = new Map<string, number>();
  private server?: SMTPServer;

  private constructor(
    readonly port: number,
    private readonly refuse: Set<string>,
  ) {}

  static async start(refuse: string[] = []): Promise<SmtpSink> {
    const sink = new SmtpSink(await freePort(), new Set(refuse));
    await sink.listen();
    return sink;
  }

  async listen(): Promise<void> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo: (address, _session, callback) => {
        if (this.refuse.has(address.address)) {
          this.refusedAttempts.set(address.address, (this.refusedAttempts.get(address.address) ?? 0) + 1);
          return callback(Object.assign(new Error(`<${address.address}>: Mailbox unavailable`), { responseCode: 550 }));
        }
        callback();
      },
      onData: (stream, _session, callback) => {
        simpleParser(stream)
          .then((mail) => {
            this.received.push(mail);
            callback();
          })
          .catch((error: Error) => callback(error));
      },
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
  }

  /** Waits for a message matching `match` (delivery goes through the queue, so it is asynchronous). */
  async waitFor(match: (mail: ParsedMail) => boolean, timeoutMs = 10_000): Promise<ParsedMail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error('no matching mail arrived in time');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** The first address a message was sent to. */
  static recipientOf(mail: ParsedMail): string | undefined {
    const to = Array.isArray(mail.to) ? mail.to[0] : mail.to;
    return to?.value[0]?.address;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
