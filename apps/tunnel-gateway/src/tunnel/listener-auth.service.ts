import { Injectable } from '@nestjs/common';
import { ApiKeyRepository, type Principal } from '@hookline/auth';
import { TUNNEL_CLOSE } from '@hookline/contracts';

export type Admission =
  { admitted: true; principal: Principal } | { admitted: false; closeCode: number; reason: string };

/**
 * May this key listen on that shared space? `integration` keys only on spaces they are assigned
 * to; `admin` keys on any space of their subscription (the tunnel subject is scoped by tenant).
 */
export function admitListener(principal: Principal, sharedSpace: string): Admission {
  if (principal.roles.includes('admin')) return { admitted: true, principal };
  if (!principal.roles.includes('integration'))
    return { admitted: false, closeCode: TUNNEL_CLOSE.forbidden, reason: 'API key needs the integration role' };
  if (!principal.sharedSpaces.includes(sharedSpace))
    return {
      admitted: false,
      closeCode: TUNNEL_CLOSE.forbidden,
      reason: 'API key is not assigned to this shared space',
    };
  return { admitted: true, principal };
}

/** Checks a listener's API key the same way ApiKeyGuard checks an HTTP caller's. */
@Injectable()
export class ListenerAuthService {
  constructor(private readonly keys: ApiKeyRepository) {}

  /** Rejects only when the key store cannot be asked; an unknown key is an Admission, not an error. */
  async admit(key: string, sharedSpace: string): Promise<Admission> {
    const principal = await this.keys.authenticate(key);
    if (!principal)
      return { admitted: false, closeCode: TUNNEL_CLOSE.unauthenticated, reason: 'unknown or revoked API key' };
    return admitListener(principal, sharedSpace);
  }
}
