import {
  Anchor,
  AppShell,
  Badge,
  Center,
  Group,
  Image,
  Loader,
  MantineProvider,
  NavLink,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState, type ReactNode } from 'react';
import { BrowserRouter, Link, Navigate, Route, Routes, useLocation } from 'react-router';
import { NotFound } from '../components/NotFound';
import { PORTAL_BASE, portalTokenOf } from '../features/portal/portal-token';
import { WebhookDetailPage } from '../features/webhooks/WebhookDetailPage';
import { WebhookEditPage, WebhookNewPage } from '../features/webhooks/WebhookFormPage';
import { WebhooksPage } from '../features/webhooks/WebhooksPage';
import { api, ApiError, setCredential, type Portal } from '../lib/api';
import { PortalSessionProvider } from '../lib/session';
import { brandedTheme, cssVariablesResolver, theme } from './theme';
import { ColorSchemeToggle } from '../components/ColorSchemeToggle';
import './shell.css';

/** Per tab, so a reload keeps the portal open after the token has left the address bar. */
const STORAGE_KEY = 'hookline.portal';

/** The token from the link's fragment (then removed from the address bar), else the one this tab kept. */
function takeToken(): string | null {
  const fromLink = portalTokenOf(window.location.hash);
  if (fromLink) {
    sessionStorage.setItem(STORAGE_KEY, fromLink);
    window.history.replaceState(null, '', window.location.pathname + window.location.search);
    return fromLink;
  }
  return sessionStorage.getItem(STORAGE_KEY);
}

function PortalShell({ portal, children }: { portal: Portal; children: ReactNode }) {
  const { pathname } = useLocation();
  const { DisplayName, LogoURL } = portal.Branding;
  // Below the router's basename, so without the /portal prefix.
  const webhooksActive = pathname.startsWith('/webhooks');
  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 200, breakpoint: 'sm' }} padding="md">
      <Anchor href="#main" className="skip-link">
        Skip to content
      </Anchor>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          {/* A long tenant name is cut short rather than pushing the page wider than a phone. */}
          <Group gap="sm" wrap="nowrap" miw={0}>
            {LogoURL && <Image src={LogoURL} alt={`${DisplayName} logo`} h={32} w="auto" fit="contain" />}
            <Title order={1} size="h4" data-testid="portal-name" lineClamp={1} title={DisplayName}>
              {DisplayName}
            </Title>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <Badge variant="light" data-testid="portal-scope">
              {portal.Scope === 'read-only' ? 'read only' : 'manage webhooks'}
            </Badge>
            <ColorSchemeToggle />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" component="nav" aria-label="Main" visibleFrom="sm">
        <NavLink
          component={Link}
          to="/webhooks"
          label="Webhooks"
          active={webhooksActive}
          aria-current={webhooksActive ? 'page' : undefined}
        />
      </AppShell.Navbar>
      <AppShell.Main id="main" tabIndex={-1}>
        {children}
      </AppShell.Main>
    </AppShell>
  );
}

function NoLongerValid() {
  return (
    <Center h="100vh" p="md">
      <Stack maw={480} role="alert">
        <Title order={1} size="h3">
          This link is no longer valid
        </Title>
        <Text>It has expired or was revoked. Ask whoever gave it to you for a new one.</Text>
      </Stack>
    </Center>
  );
}

function Portal({ portal }: { portal: Portal }) {
  const manage = portal.Scope === 'manage-webhooks';
  const branded = useMemo(() => brandedTheme(portal.Branding.AccentColor), [portal.Branding.AccentColor]);
  return (
    <MantineProvider theme={branded} defaultColorScheme="auto" cssVariablesResolver={cssVariablesResolver}>
      <BrowserRouter basename={PORTAL_BASE}>
        <PortalSessionProvider portal={portal}>
          <PortalShell portal={portal}>
            <Routes>
              <Route path="/" element={<Navigate to="/webhooks" replace />} />
              <Route path="/webhooks" element={<WebhooksPage />} />
              {manage && <Route path="/webhooks/new" element={<WebhookNewPage />} />}
              <Route path="/webhooks/:id" element={<WebhookDetailPage />} />
              {manage && <Route path="/webhooks/:id/edit" element={<WebhookEditPage />} />}
              <Route path="*" element={<NotFound />} />
            </Routes>
          </PortalShell>
        </PortalSessionProvider>
      </BrowserRouter>
    </MantineProvider>
  );
}

/** The console as a portal link shows it: one tenant, its branding, only what the link's scope allows. */
export function PortalApp() {
  const [token] = useState(takeToken);
  const [refused, setRefused] = useState(token === null);
  // Set during render, so the first query already carries the token; any 401 means the link died.
  setCredential(token, () => {
    sessionStorage.removeItem(STORAGE_KEY);
    setRefused(true);
  });
  const portal = useQuery({ queryKey: ['portal'], queryFn: api.portal, enabled: !refused });
  let body: ReactNode;
  if (refused || (portal.error instanceof ApiError && portal.error.status === 401)) body = <NoLongerValid />;
  else if (portal.isError)
    body = (
      <Center h="100vh">
        <Text role="alert">Hookline could not be reached ({portal.error.message}).</Text>
      </Center>
    );
  else if (portal.isPending)
    body = (
      <Center h="100vh">
        <Loader aria-label="Opening the portal" />
      </Center>
    );
  else return <Portal portal={portal.data} />;
  return (
    <MantineProvider theme={theme} defaultColorScheme="auto" cssVariablesResolver={cssVariablesResolver}>
      {body}
    </MantineProvider>
  );
}
