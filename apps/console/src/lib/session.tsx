import { useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, ApiError, setCredential, type Portal, type Principal, type Role } from './api';

/** Per tab, so closing the tab ends the session and another tab can sign in as another tenant. */
const STORAGE_KEY = 'hookline.credential';

export interface Session {
  principal: Principal;
  can: (...roles: Role[]) => boolean;
  signOut: () => void;
}

interface SessionState {
  session: Session | null;
  /** Why the last session ended (refused or expired), shown on the sign-in page. */
  ended: string | null;
  restoring: boolean;
  signIn: (credential: string, principal: Principal) => void;
}

const ENDED = 'Your session has ended. Sign in again to continue where you were.';

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [credential, setStored] = useState<string | null>(() => sessionStorage.getItem(STORAGE_KEY));
  const [principal, setPrincipal] = useState<Principal | null>(null);
  const [ended, setEnded] = useState<string | null>(null);

  const end = useCallback(
    (reason: string | null) => {
      sessionStorage.removeItem(STORAGE_KEY);
      setStored(null);
      setPrincipal(null);
      setEnded(reason);
      queryClient.clear();
    },
    [queryClient],
  );

  // Set during render, so the first queries of a restored session already carry the credential.
  setCredential(credential, () => end(ENDED));

  const restoring = credential !== null && principal === null;
  useEffect(() => {
    if (!restoring) return;
    api
      .whoAmI()
      .then(setPrincipal, (err: unknown) =>
        end(
          err instanceof ApiError && err.status === 401
            ? ENDED
            : `Hookline could not be reached (${err instanceof Error ? err.message : String(err)}). Sign in again.`,
        ),
      );
  }, [restoring, end]);

  const signIn = useCallback((key: string, who: Principal) => {
    sessionStorage.setItem(STORAGE_KEY, key);
    setStored(key);
    setPrincipal(who);
    setEnded(null);
  }, []);

  const value = useMemo<SessionState>(() => {
    const session: Session | null = principal && {
      principal,
      can: (...roles) => principal.Roles.some((role) => roles.includes(role)),
      signOut: () => end(null),
    };
    return { session, ended, restoring, signIn };
  }, [principal, ended, restoring, signIn, end]);

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

/**
 * What a portal link may do, in the roles the pages already check: the server grants the same
 * (manage-webhooks acts as `integration` on webhooks), so hidden buttons match refused calls.
 */
export function portalPrincipal(portal: Portal): Principal {
  return {
    SubscriptionID: portal.SubscriptionID,
    KeyID: 'portal',
    Roles: portal.Scope === 'manage-webhooks' ? ['integration'] : ['read-only'],
    SharedSpaces: [],
    Operator: false,
  };
}

/** The session of a portal link: no sign-in, nothing to sign out of; the link itself is the credential. */
export function PortalSessionProvider({ portal, children }: { portal: Portal; children: ReactNode }) {
  const value = useMemo<SessionState>(() => {
    const principal = portalPrincipal(portal);
    return {
      session: {
        principal,
        can: (...roles) => principal.Roles.some((role) => roles.includes(role)),
        signOut: () => undefined,
      },
      ended: null,
      restoring: false,
      signIn: () => undefined,
    };
  }, [portal]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSessionState(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSessionState outside SessionProvider');
  return state;
}

/** The signed-in principal; only used below the shell, which renders when there is one. */
export function useSession(): Session {
  const { session } = useSessionState();
  if (!session) throw new Error('useSession without a session');
  return session;
}
