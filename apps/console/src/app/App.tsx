import '@mantine/core/styles.css';
import { Badge, Center, Loader, MantineProvider, createTheme, type CSSVariablesResolver } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { BrowserRouter } from 'react-router';
import { ApiError } from '../lib/api';
import { SessionProvider, useSessionState } from '../lib/session';
import { SignInPage } from '../features/auth/SignInPage';
import { AppRoutes } from './routes';
import { Shell } from './Shell';

// Shade 8 keeps white-on-primary and primary-on-white text above WCAG AA contrast (4.5:1).
const theme = createTheme({
  primaryColor: 'indigo',
  primaryShade: { light: 8, dark: 8 },
  defaultRadius: 'md',
  // A coloured dot beside body-coloured text: small badge text stays readable in every colour.
  components: { Badge: Badge.extend({ defaultProps: { variant: 'dot' } }) },
});

/** Colours used for states; their subtle and light variants get text dark or pale enough for AA contrast. */
const STATE_COLORS = ['green', 'red', 'yellow', 'orange', 'blue', 'gray', 'indigo'];

// Mantine's default dimmed grey is below WCAG AA contrast on both backgrounds (axe finds it).
const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
    ...Object.fromEntries(STATE_COLORS.map((c) => [`--mantine-color-${c}-light-color`, `var(--mantine-color-${c}-9)`])),
  },
  dark: {
    '--mantine-color-dimmed': 'var(--mantine-color-dark-1)',
    ...Object.fromEntries(STATE_COLORS.map((c) => [`--mantine-color-${c}-light-color`, `var(--mantine-color-${c}-2)`])),
  },
});

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
