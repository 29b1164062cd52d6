import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { fieldProblems } from '@hookline/service-kit';
import { UpdateWebhookDto } from './dto/webhook-request.dto';
import { basicUsernameProblem, credentialProblem, headerValueProblem } from './header-safe';

const problemsOf = (body: unknown) =>
  Object.fromEntries(
    fieldProblems(
      validateSync(plainToInstance(UpdateWebhookDto, body), { whitelist: true, forbidNonWhitelisted: true }),
    ).map((p) => [p.field, p.reason]),
  );

describe('header-safe values', () => {
  it('takes printable ASCII with inner spaces and tabs as a header value, nothing else', () => {
    expect(headerValueProblem('Bearer abc.DEF-123_~+/=')).toBeUndefined();
    expect(headerValueProblem('a b\tc')).toBeUndefined();
    expect(headerValueProblem('a\r\nX-Injected: 1')).toBe(
      'must hold only printable ASCII, spaces and tabs (found U+000D at position 1)',
    );
    expect(headerValueProblem('nul\0')).toMatch(/U\+0000 at position 3/);
    expect(headerValueProblem('del\x7f')).toMatch(/U\+007F/);
    expect(headerValueProblem('café')).toMatch(/U\+00E9/);
    expect(headerValueProblem('€')).toMatch(/U\+20AC/);
    expect(headerValueProblem(' padded')).toBe('must not start or end with a space or tab');
  });

  it('takes any text but control characters as a credential, and no colon in a Basic username', () => {
    expect(credentialProblem('pässwörd with spaces: and colons')).toBeUndefined();
    expect(credentialProblem('line\nbreak')).toMatch(/U\+000A/);
    expect(credentialProblem('c1\u0085')).toMatch(/U\+0085/);
    expect(basicUsernameProblem('jürgen')).toBeUndefined();
    expect(basicUsernameProblem('user:name')).toBe('must not contain a colon (:)');
  });

  it('applies to Security, Headers and every credential of a webhook body', () => {
    expect(
      problemsOf({
        Security: 'secret\r\nX-Evil: 1',
        Headers: { 'X-Team': 'ops\u0000' },
        Authentication: { Type: 'Basic', Username: 'a:b', Password: 'p\u0007' },
      }),
    ).toEqual({
      Security: expect.stringMatching(/^Security must hold only printable ASCII.*U\+000D/),
      Headers: expect.stringMatching(/Headers\.X-Team value must hold only printable ASCII.*U\+0000/),
      'Authentication.Username': 'Username must not contain a colon (:)',
      'Authentication.Password': expect.stringMatching(/^Password must not contain control characters.*U\+0007/),
    });
    expect(problemsOf({ Authentication: { Type: 'Token', Scheme: 'Bearer', Token: 'tök' } })).toEqual({
      'Authentication.Token': expect.stringMatching(/U\+00F6/),
    });
    expect(
      problemsOf({
        Authentication: { Type: 'OAuth2ClientCredentials', TokenUrl: 'https://t', ClientId: 'id\n', ClientSecret: 's' },
      }),
    ).toEqual({ 'Authentication.ClientId': expect.stringMatching(/control characters/) });
  });

  it('refuses user info in a TargetUrl and the other URLs: credentials go in Authentication', () => {
    expect(problemsOf({ TargetUrl: 'https://user:pass@receiver.example.com/hook' })).toEqual({
      TargetUrl: 'TargetUrl must not contain user info (user:password@); put credentials in Authentication',
    });
    expect(problemsOf({ TargetUrl: 'https://token@receiver.example.com/hook' }).TargetUrl).toMatch(/user info/);
    expect(
      problemsOf({
        Authentication: {
          Type: 'OAuth2ClientCredentials',
          TokenUrl: 'https://a:b@t',
          ClientId: 'i',
          ClientSecret: 's',
        },
      })['Authentication.TokenUrl'],
    ).toMatch(/user info/);
    expect(problemsOf({ TargetUrl: 'https://receiver.example.com/hook?user=a:b@c' })).toEqual({});
  });
});
