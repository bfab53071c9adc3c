import nodemailer from 'nodemailer';
import type { FastifyBaseLogger } from 'fastify';
import { redactSecrets } from './lib/redact.ts';

// Outgoing email. With SMTP_URL: nodemailer over SMTP. Without it (local development): the
// message is logged with the recipient redacted and its links visible, so flows can be followed.

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
}

export interface Mailer {
  /** Queues a message: sent after the response, retried with backoff, failures logged. */
  deliver(mail: OutgoingMail, purpose: string): void;
  /** Waits briefly for sends in flight and cancels pending retries. */
  close(): Promise<void>;
}

/** Keeps the domain (useful for diagnosing delivery), never the mailbox. */
export function redactAddress(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? '[redacted]' : `[redacted]@${address.slice(at + 1)}`;
}

/**
 * A 5xx SMTP reply is permanent (RFC 5321 §4.2.1): the same message will be refused again, so
 * retrying only adds load and log noise. 4xx replies and connection errors are worth a retry.
 */
export function isPermanentFailure(error: unknown): boolean {
  const code =
    typeof error === 'object' && error !== null && 'responseCode' in error
      ? Number(error.responseCode)
      : NaN;
  return code >= 500 && code < 600;
}

export interface MailerOptions {
  smtpUrl: string | undefined;
  from: string;
  retryDelayMs: number;
  log: FastifyBaseLogger;
  retries?: number;
  /** Without SMTP: log emails with their links usable (development) or with tokens redacted. */
  logLinks?: boolean;
}

export function createMailer(options: MailerOptions): Mailer {
  const { log } = options;
  const retries = options.retries ?? 3;
  const transport =
    options.smtpUrl === undefined ? undefined : nodemailer.createTransport(options.smtpUrl);
  const inFlight = new Set<Promise<void>>();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  async function sendOnce(mail: OutgoingMail): Promise<void> {
    if (transport === undefined) {
      const shown = (value: string) => (options.logLinks === false ? redactSecrets(value) : value);
      log.info(
        {
          to: redactAddress(mail.to),
          subject: mail.subject,
          headers: Object.fromEntries(
            Object.entries(mail.headers).map(([name, value]) => [name, shown(value)]),
          ),
          text: shown(mail.text),
        },
        'email (not sent: SMTP_URL is not set)',
      );
      return;
    }
    await transport.sendMail({
      from: options.from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      headers: mail.headers,
    });
  }

  function attempt(mail: OutgoingMail, purpose: string, attemptNumber: number): void {
    const sending = sendOnce(mail).then(
      () => {
        if (transport !== undefined)
          log.info({ purpose, to: redactAddress(mail.to) }, 'email sent');
      },
      (error: unknown) => {
        // SMTP rejections quote the recipient ("550 5.1.1 <jane@…>: unknown user").
        const message = redactSecrets(error instanceof Error ? error.message : String(error));
        const permanent = isPermanentFailure(error);
        if (permanent || attemptNumber > retries || closed) {
          log.error(
            {
              purpose,
              to: redactAddress(mail.to),
              attempts: attemptNumber,
              permanent,
              reason: message,
            },
            permanent
              ? 'email rejected permanently by the SMTP server; not retried'
              : 'email delivery failed; giving up',
          );
          return;
        }
        const delay = options.retryDelayMs * 2 ** (attemptNumber - 1);
        log.warn(
          {
            purpose,
            to: redactAddress(mail.to),
            attempt: attemptNumber,
            retryInMs: delay,
            reason: message,
          },
          'email delivery failed; will retry',
        );
        const timer = setTimeout(() => {
          timers.delete(timer);
          attempt(mail, purpose, attemptNumber + 1);
        }, delay);
        timers.add(timer);
      },
    );
    inFlight.add(sending);
    void sending.finally(() => inFlight.delete(sending));
  }

  return {
    deliver(mail, purpose) {
      if (closed) {
        log.warn({ purpose, to: redactAddress(mail.to) }, 'email dropped: shutting down');
        return;
      }
      // After the current response has been written: sending never delays or fails it.
      setImmediate(() => attempt(mail, purpose, 1));
    },
    async close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      if (timers.size > 0)
        log.warn({ pending: timers.size }, 'email retries cancelled by shutdown');
      timers.clear();
      await Promise.race([
        Promise.allSettled([...inFlight]),
        new Promise((resolve) => setTimeout(resolve, 2000).unref()),
      ]);
      transport?.close();
    },
  };
}
