import '@mantine/core/styles.css';
import { Center, Loader, MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { BrowserRouter } from 'react-router';
import { ApiError } from '../lib/api';
import { SessionProvider, useSessionState } from '../lib/session';
import { SignInPage } from '../features/auth/SignInPage';
import { isPortalPath } from '../features/portal/portal-token';
import { PortalApp } from './PortalApp';
import { AppRoutes } from './routes';
import { Shell } from './Shell';
import { cssVariablesResolver, theme } from './theme';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A refused request is not retried: 401 ends the session, 403 and 404 will not change.
      retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
      staleTime: 5_000,
    },
  },
});

/** Without a session the sign-in page shows at the same URL, so signing in continues on that page. */
function Gate() {
  const { session, restoring } = useSessionState();
  if (restoring)
    return (
      <Center h="100vh">
        <Loader aria-label="Restoring your session" />
      </Center>
    );
  if (!session) return <SignInPage />;
  return (
    <Shell>
      <AppRoutes />
    </Shell>
  );
}

export function App() {
  // A portal link is its own console: its tenant's branding, no sign-in, no session of another kind.
  if (isPortalPath(window.location.pathname))
    return (
      <QueryClientProvider client={queryClient}>
        <PortalApp />
      </QueryClientProvider>
    );
  return (
    <MantineProvider theme={theme} defaultColorScheme="auto" cssVariablesResolver={cssVariablesResolver}>
      <QueryClientProvider client={queryClient}>
        <BrowserRouter>
          <SessionProvider>
            <Gate />
          </SessionProvider>
        </BrowserRouter>
      </QueryClientProvider>
    </MantineProvider>
  );
}
