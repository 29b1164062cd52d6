import { Anchor, AppShell, Badge, Burger, Button, Group, NavLink, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import type { ReactNode } from 'react';
import { Link, useLocation } from 'react-router';
import type { Role } from '../lib/api';
import { useSession } from '../lib/session';
import { ColorSchemeToggle } from '../components/ColorSchemeToggle';
import './shell.css';

/** Each page with the roles that may open it (none: everyone signed in). */
const NAV: { to: string; label: string; roles: Role[] }[] = [
  { to: '/', label: 'Overview', roles: [] },
  { to: '/webhooks', label: 'Webhooks', roles: [] },
  { to: '/changes', label: 'Send a change', roles: ['admin', 'integration'] },
  { to: '/incoming', label: 'Incoming hooks', roles: [] },
  { to: '/operations', label: 'Operations', roles: ['admin'] },
  { to: '/people', label: 'Users', roles: ['admin'] },
  { to: '/portal-links', label: 'Portal links', roles: ['admin'] },
];

export function Shell({ children }: { children: ReactNode }) {
  const [opened, { toggle, close }] = useDisclosure();
  const { principal, can, signOut } = useSession();
  const { pathname } = useLocation();
  const active = (to: string) => (to === '/' ? pathname === '/' : pathname.startsWith(to));
  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <Anchor href="#main" className="skip-link">
        Skip to content
      </Anchor>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
            <Title order={1} size="h4">
              Hookline
            </Title>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <Text size="sm" visibleFrom="xs" data-testid="tenant">
              Tenant {principal.SubscriptionID}
            </Text>
            {principal.Roles.map((role) => (
              <Badge key={role} variant="light" data-testid="role">
                {role}
              </Badge>
            ))}
            <ColorSchemeToggle />
            <Button variant="subtle" size="compact-sm" onClick={signOut}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" component="nav" aria-label="Main">
        {NAV.filter((item) => item.roles.length === 0 || can(...item.roles)).map((item) => (
          <NavLink
            key={item.to}
            component={Link}
            to={item.to}
            label={item.label}
            active={active(item.to)}
            aria-current={active(item.to) ? 'page' : undefined}
            onClick={close}
          />
        ))}
      </AppShell.Navbar>
      <AppShell.Main id="main" tabIndex={-1}>
        {children}
      </AppShell.Main>
    </AppShell>
  );
}
