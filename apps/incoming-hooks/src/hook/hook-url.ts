/** Where hook URLs are served; the last path segment is the hook's token. */
export const HOOK_URL_PATH = 'hooks/incoming';

/** The public URL of a hook, under PUBLIC_BASE_URL or else the origin the caller used. */
export function hookUrl(origin: string, token: string): string {
  return `${origin.replace(/\/+$/, '')}/${HOOK_URL_PATH}/${token}`;
}
