// Who may do what, independent of HTTP: the API token roles in rising order of power.

export const roles = ['writer', 'editor', 'admin'] as const;
export type Role = (typeof roles)[number];

export function roleAtLeast(role: Role, required: Role): boolean {
  return roles.indexOf(role) >= roles.indexOf(required);
}

/** Who is calling: the API token that authenticated the request. */
export interface Principal {
  tokenId: string;
  name: string;
  role: Role;
}
