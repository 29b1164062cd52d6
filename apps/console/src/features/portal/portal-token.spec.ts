import { isPortalPath, portalTokenOf } from './portal-token';

describe('portal URLs', () => {
  it('reads the token from the fragment only when it looks like one', () => {
    expect(portalTokenOf('#token=hlp_abc-_9')).toBe('hlp_abc-_9');
    expect(portalTokenOf('token=hlp_x&other=1')).toBe('hlp_x');
    expect(portalTokenOf('#token=hk_admin')).toBeNull();
    expect(portalTokenOf('#token=hlp_<script>')).toBeNull();
    expect(portalTokenOf('')).toBeNull();
  });

  it('tells portal pages from the rest of the console', () => {
    expect(isPortalPath('/portal')).toBe(true);
    expect(isPortalPath('/portal/webhooks/1')).toBe(true);
    expect(isPortalPath('/portals')).toBe(false);
    expect(isPortalPath('/webhooks')).toBe(false);
  });
});
