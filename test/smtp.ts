import { type ParsedMail, simpleParser } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** A real SMTP server on 127.0.0.1 that keeps what it receives. `failFirst` rejects that many messages. */
export async function startSmtpServer(options: { failFirst?: number; failureCode?: number } = {}) {
  const messages: ParsedMail[] = [];
  let failuresLeft = options.failFirst ?? 0;
  let attempts = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      attempts += 1;
      simpleParser(stream).then(
        (parsed) => {
          if (failuresLeft > 0) {
            failuresLeft -= 1;
            // Real servers quote the recipient in their rejection text.
            const recipient = session.envelope.rcptTo[0]?.address ?? '';
            const code = options.failureCode ?? 451;
            const text =
              code >= 500 ? `Mailbox <${recipient}> does not exist` : 'Mailbox busy, try later';
            callback(Object.assign(new Error(text), { responseCode: code }));
            return;
          }
          messages.push(parsed);
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    attempts: () => attempts,
    async waitForMessages(count: number, timeoutMs = 5000): Promise<ParsedMail[]> {
      const started = Date.now();
      while (messages.length < count) {
        if (Date.now() - started > timeoutMs)
          throw new Error(`expected ${count} messages, got ${messages.length}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return messages;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type SmtpServer = Awaited<ReturnType<typeof startSmtpServer>>;

/** Lets background deliveries that should not happen get their chance to (wrongly) happen. */
export const settle = (ms = 150) => new Promise((resolve) => setTimeout(resolve, ms));
