// Log hygiene: strings that reach a log line pass through here first.
const emailPattern = /[^\s@/?&=:;,"'<>()[\]]+@[^\s@/?&=:;,"'<>()[\]]+\.[^\s@/?&=:;,"'<>()[\]]+/g;
const percentEncodedEmailPattern = /[^\s/?&=]+%40[^\s/?&=]+/gi;
const tokenPattern = /bs_[A-Za-z0-9_-]{8,}/g;

export function redactSecrets(text: string): string {
  return text
    .replace(tokenPattern, 'bs_[redacted]')
    .replace(percentEncodedEmailPattern, '[email]')
    .replace(emailPattern, '[email]');
}
