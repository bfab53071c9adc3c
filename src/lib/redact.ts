// Log hygiene: strings that reach a log line pass through here first.
const emailPattern = /[^\s@/?&=:;,"'<>()[\]]+@[^\s@/?&=:;,"'<>()[\]]+\.[^\s@/?&=:;,"'<>()[\]]+/g;
const percentEncodedEmailPattern = /[^\s/?&=]+%40[^\s/?&=]+/gi;
const tokenPattern = /bs_[A-Za-z0-9_-]{8,}/g;
const tokenParameterPattern = /([?&](?:token|access_token)=)[^&#\s]*/gi;

export function redactSecrets(text: string): string {
  return text
    .replace(tokenPattern, 'bs_[redacted]')
    .replace(tokenParameterPattern, '$1[redacted]')
    .replace(percentEncodedEmailPattern, '[email]')
    .replace(emailPattern, '[email]');
}
