import { parkedSubjectParts, SUBJECTS } from '@hookline/contracts';
import { originKey } from './parked-jobs.service';

describe('parked job subjects', () => {
  it('name each origin with one subject token', () => {
    const keys = ['https://a.example', 'https://a.example:8443', 'http://a.example', 'tunnel:100/space.one'].map(
      originKey,
    );
    expect(new Set(keys).size).toBe(4);
    for (const key of keys) expect(key).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(originKey('https://a.example')).toBe(keys[0]);
  });

  it('lead back to the job’s own DELIVERIES subject, escaped tenant and webhook ids included', () => {
    const parked = SUBJECTS.parkedDelivery(originKey('https://a.example'), 'tenant.1', 'hook *>1');
    expect(parkedSubjectParts(parked).deliverySubject).toBe(SUBJECTS.delivery('tenant.1', 'hook *>1'));
  });
});
