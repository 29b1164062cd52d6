import '@mantine/core/styles.css';
import { Center, Loader, MantineProvider, createTheme } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { BrowserRouter } from 'react-router';
import { ApiError } from '../lib/api';
import { SessionProvider, useSessionState } from '../lib/session';
import { SignInPage } from '../features/auth/SignInPage';
import { AppRoutes } from './routes';
import { Shell } from './Shell';

const theme = createTheme({ primaryColor: 'indigo', defaultRadius: 'md' });

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
  return (
    <MantineProvider theme={theme} defaultColorScheme="auto">
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
