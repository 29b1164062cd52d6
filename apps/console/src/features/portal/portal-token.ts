/** Where a portal link opens the console; everything under it is the tenant's portal. */
export const PORTAL_BASE = '/portal';

export function isPortalPath(pathname: string): boolean {
  return pathname === PORTAL_BASE || pathname.startsWith(`${PORTAL_BASE}/`);
}

/**
 * The token of a portal URL, carried in the fragment (`#token=hlp_…`) because browsers never send
 * a fragment to the server: the token stays out of access logs and Referer headers.
 */
export function portalTokenOf(hash: string): string | null {
  const token = new URLSearchParams(hash.replace(/^#/, '')).get('token');
  return token && /^hlp_[A-Za-z0-9_-]+$/.test(token) ? token : null;
}
