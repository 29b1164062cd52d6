import { Route, Routes } from 'react-router';
import { OverviewPage } from '../features/overview/OverviewPage';
import { WebhooksPage } from '../features/webhooks/WebhooksPage';
import { WebhookEditPage, WebhookNewPage } from '../features/webhooks/WebhookFormPage';
import { WebhookDetailPage } from '../features/webhooks/WebhookDetailPage';
import { OperationsPage } from '../features/operations/OperationsPage';
import { IncomingPage } from '../features/incoming/IncomingPage';
import { UsersPage } from '../features/users/UsersPage';
import { PortalLinksPage } from '../features/portal/PortalLinksPage';
import { SendChangePage } from '../features/changes/SendChangePage';
import { NotFound } from '../components/NotFound';

export function AppRoutes() {
  return (
    <Routes>
      <Route path="/" element={<OverviewPage />} />
      <Route path="/webhooks" element={<WebhooksPage />} />
      <Route path="/webhooks/new" element={<WebhookNewPage />} />
      <Route path="/webhooks/:id" element={<WebhookDetailPage />} />
      <Route path="/webhooks/:id/edit" element={<WebhookEditPage />} />
      <Route path="/incoming" element={<IncomingPage />} />
      <Route path="/changes" element={<SendChangePage />} />
      <Route path="/operations" element={<OperationsPage />} />
      {/* Not /users: the front door sends that path to the registry's sign-in API. */}
      <Route path="/people" element={<UsersPage />} />
      <Route path="/portal-links" element={<PortalLinksPage />} />
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}
