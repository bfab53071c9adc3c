import type { OutgoingMail } from '../../mail.ts';
import type { NewsletterRecord } from './newsletters.repository.ts';

/** What the confirmation email needs of the instance's settings. */
export interface ConfirmationMailSettings {
  siteUrl: string;
  publicApiUrl: string;
  confirmPath: string;
  unsubscribePath: string;
  confirmationTtlMs: number;
}

const escapeHtml = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The double opt-in email, with a one-click unsubscribe (RFC 8058) from the first message on. */
export function confirmationMail(
  settings: ConfirmationMailSettings,
  message: {
    to: string;
    newsletter: Pick<NewsletterRecord, 'name' | 'slug' | 'cadence' | 'sendDay'>;
    token: string;
    unsubscribeToken: string;
  },
): OutgoingMail {
  const { to, newsletter, token } = message;
  const confirmUrl = `${settings.siteUrl}${settings.confirmPath}?token=${encodeURIComponent(token)}`;
  const unsubscribe = message.unsubscribeToken;
  const unsubscribePage = `${settings.siteUrl}${settings.unsubscribePath}?token=${encodeURIComponent(unsubscribe)}`;
  const oneClick = `${settings.publicApiUrl}/v1/newsletter-signups/unsubscribe?token=${encodeURIComponent(unsubscribe)}`;
  const cadence =
    newsletter.sendDay === null
      ? newsletter.cadence
      : `${newsletter.cadence}, on ${newsletter.sendDay[0]?.toUpperCase()}${newsletter.sendDay.slice(1)}s`;
  const text = [
    `Please confirm that you want to receive ${newsletter.name} (${cadence}).`,
    '',
    `Confirm your subscription: ${confirmUrl}`,
    '',
    `The link works for ${Math.round(settings.confirmationTtlMs / 3_600_000)} hours. If you did not ask for this, ignore this email: nothing more will be sent.`,
    '',
    `Unsubscribe: ${unsubscribePage}`,
  ].join('\n');
  const html = [
    `<p>Please confirm that you want to receive <strong>${escapeHtml(newsletter.name)}</strong> (${escapeHtml(cadence)}).</p>`,
    `<p><a href="${escapeHtml(confirmUrl)}">Confirm your subscription</a></p>`,
    `<p>If you did not ask for this, ignore this email: nothing more will be sent.</p>`,
    `<p><a href="${escapeHtml(unsubscribePage)}">Unsubscribe</a></p>`,
  ].join('\n');
  return {
    to,
    subject: `Confirm your subscription to ${newsletter.name}`,
    text,
    html,
    headers: {
      'List-Unsubscribe': `<${oneClick}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      'List-Id': `${newsletter.name.replace(/[<>"\r\n]/g, '')} <${newsletter.slug}.${new URL(settings.siteUrl).hostname}>`,
    },
  };
}
