import { routeOf } from './http-load-config';

describe('routeOf', () => {
  it('sends consecutive fan-out-1 changes to every webhook of every tenant in turn', () => {
    const routes = Array.from({ length: 20 }, (_, n) => routeOf(n, 1, 2, 10));
    expect(new Set(routes.map((r) => `${r.tenant}/${r.route}`)).size).toBe(20);
    expect(routes.slice(0, 3)).toEqual([
      { tenant: 0, route: 'k0' },
      { tenant: 0, route: 'k1' },
      { tenant: 0, route: 'k2' },
    ]);
    expect(routeOf(10, 1, 2, 10)).toEqual({ tenant: 1, route: 'k0' });
    expect(routeOf(20, 1, 2, 10)).toEqual({ tenant: 0, route: 'k0' });
  });

  it("sends a fan-out-10 change to all of a tenant's webhooks, tenants in turn", () => {
    expect([0, 1, 2].map((n) => routeOf(n, 10, 2, 10))).toEqual([
      { tenant: 0, route: 'all' },
      { tenant: 1, route: 'all' },
      { tenant: 0, route: 'all' },
    ]);
  });
});
