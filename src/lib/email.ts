// What an email address means for throttling and blocking, as opposed to where mail is sent
// (always the address as typed).

/**
 * The mailbox an address reaches: `Jane.Roe+news@Example.org` and `jane.roe@example.org` are one
 * mailbox at nearly every provider, so they share one key.
 */
export function mailboxKey(address: string): string {
  const at = address.lastIndexOf('@');
  const local = address.slice(0, at);
  const plus = local.indexOf('+');
  return `${plus < 0 ? local : local.slice(0, plus)}${address.slice(at)}`.toLowerCase();
}

/** The domain and each parent domain: `a.b.example.org` → a.b.example.org, b.example.org, example.org. */
export function domainAndParents(address: string): string[] {
  const labels = address
    .slice(address.lastIndexOf('@') + 1)
    .toLowerCase()
    .split('.');
  return labels.slice(0, -1).map((_, index) => labels.slice(index).join('.'));
}
