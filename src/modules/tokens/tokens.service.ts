import { createHash, randomBytes } from 'node:crypto';
import { forbidden, invalidFields, notFound } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { type Principal, type Role, roleAtLeast } from '../../lib/roles.ts';
import type { PageRequest } from '../../pagination.ts';
import { iso, isoOrNull } from '../../schemas.ts';
import type { Clock } from '../shared/clock.ts';
import type { TokenRecord, TokensRepository } from './tokens.repository.ts';
import type { TokenResponse } from './tokens.schemas.ts';

const tokenPattern = /^bs_[A-Za-z0-9_-]{43}$/;
const prefixLength = 10;
// lastUsedAt is for humans ("is this token still in use?"); minute precision spares a write
// (and an fsync) on almost every authenticated request.
const lastUsedPrecisionMs = 60_000;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function generateToken(): string {
  return `bs_${randomBytes(32).toString('base64url')}`;
}

/** What a token looks like in the API: never its hash. */
export function toTokenResponse(record: TokenRecord): TokenResponse {
  return {
    id: record.id,
    name: record.name,
    role: record.role,
    tokenPrefix: record.tokenPrefix,
    createdAt: iso(record.createdAt),
    expiresAt: isoOrNull(record.expiresAt),
    lastUsedAt: isoOrNull(record.lastUsedAt),
    revokedAt: isoOrNull(record.revokedAt),
  };
}

export interface TokensServiceDeps {
  repository: TokensRepository;
  clock: Clock;
  onBackgroundError: (error: unknown) => void;
}

export function createTokensService({ repository, clock, onBackgroundError }: TokensServiceDeps) {
  const now = () => clock.now();
  return {
    /** Creates a token and returns its secret once. `issuer` is null for the CLI. */
    async create(
      input: { name: string; role: Role; expiresAt?: Date | null },
      issuer: Principal | null,
    ) {
      if (issuer !== null && !roleAtLeast(issuer.role, input.role)) {
        throw forbidden(
          `A ${issuer.role} token cannot create a token with the ${input.role} role.`,
        );
      }
      const createdAt = now();
      if (input.expiresAt != null && input.expiresAt.getTime() <= createdAt.getTime()) {
        throw invalidFields([{ path: 'body.expiresAt', message: 'Must be in the future.' }]);
      }
      const token = generateToken();
      const record: TokenRecord = {
        id: newId('tok', createdAt.getTime()),
        name: input.name,
        role: input.role,
        tokenHash: hashToken(token),
        tokenPrefix: token.slice(0, prefixLength),
        createdAt,
        expiresAt: input.expiresAt ?? null,
        lastUsedAt: null,
        revokedAt: null,
        createdByTokenId: issuer?.tokenId ?? null,
      };
      await repository.insert(record);
      return { token, record };
    },

    async authenticate(credential: string): Promise<Principal | null> {
      if (!tokenPattern.test(credential)) return null;
      const record = await repository.findByHash(hashToken(credential));
      const at = now();
      if (record === undefined || record.revokedAt !== null) return null;
      if (record.expiresAt !== null && record.expiresAt.getTime() <= at.getTime()) return null;
      if (
        record.lastUsedAt === null ||
        at.getTime() - record.lastUsedAt.getTime() >= lastUsedPrecisionMs
      ) {
        // Not awaited: bookkeeping must not slow down or fail the request it describes.
        repository.touchLastUsed(record.id, at).catch(onBackgroundError);
      }
      return { tokenId: record.id, name: record.name, role: record.role };
    },

    async list(page: PageRequest<'createdAt'>) {
      const { rows, total } = await repository.list(page);
      return { items: rows.map(toTokenResponse), total };
    },

    async revoke(id: string): Promise<void> {
      const found = await repository.revoke(id, now());
      if (!found) throw notFound('No token with that id.');
    },
  };
}

export type TokensService = ReturnType<typeof createTokensService>;
