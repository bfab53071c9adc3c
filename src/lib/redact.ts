// Log hygiene: strings that reach a log line pass through here first. Redaction runs on every
// request (the URL of each log line), so it must cost time linear in a bounded input: the text is
// cut to a fixed length first, and emails are found by scanning outwards from each "@" rather
// than by an unanchored pattern (which took 0.35–1.5 s on a 16,000-character URL with no match).

/** The most of any one string that is redacted and logged; the rest is counted, not kept. */
export const maxLoggedLength = 2048;

const tokenPattern = /bs_[A-Za-z0-9_-]{8,}/g;
const tokenParameterPattern = /([?&](?:token|access_token)=)[^&#\s]*/gi;

const maxLocalPart = 64;
const maxDomain = 253;
// Characters that end an address in a URL, a query string, JSON or prose.
const separators = new Set([...' \t\r\n@/?&=:;,"\'<>()[]{}\\']);

const isAddressCharacter = (character: string | undefined) =>
  character !== undefined && !separators.has(character);

/**
 * Replaces every `local@domain.tld` (or `local%40domain.tld`) with "[email]". Each character is
 * looked at a bounded number of times: a scan starts only at an "@" and stops at a separator or
 * at the longest local part or domain an address can have.
 */
function redactEmails(text: string): string {
  let result = '';
  let copiedUpTo = 0;
  let searchFrom = 0;
  for (;;) {
    const plain = text.indexOf('@', searchFrom);
    const encoded = text.indexOf('%40', searchFrom);
    const at = plain < 0 ? encoded : encoded < 0 ? plain : Math.min(plain, encoded);
    if (at < 0) break;
    const markLength = at === encoded ? 3 : 1;
    let start = at;
    while (start > copiedUpTo && at - start < maxLocalPart && isAddressCharacter(text[start - 1]))
      start -= 1;
    let end = at + markLength;
    while (end < text.length && end - at < maxDomain && isAddressCharacter(text[end])) end += 1;
    // A sentence's full stop is not part of the domain.
    while (end > at + markLength && text[end - 1] === '.') end -= 1;
    const domain = text.slice(at + markLength, end);
    if (start < at && domain.includes('.') && !domain.startsWith('.')) {
      result += `${text.slice(copiedUpTo, start)}[email]`;
      copiedUpTo = end;
    }
    searchFrom = Math.max(end, at + markLength);
  }
  return result + text.slice(copiedUpTo);
}

export function redactSecrets(input: string): string {
  const text =
    input.length > maxLoggedLength
      ? `${input.slice(0, maxLoggedLength)}…[${input.length - maxLoggedLength} more characters]`
      : input;
  return redactEmails(
    text.replace(tokenPattern, 'bs_[redacted]').replace(tokenParameterPattern, '$1[redacted]'),
  );
}
