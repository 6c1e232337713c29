import { emailLoginCodeMail, passwordResetCodeMail, workspaceInvitationMail } from './mail-templates';

describe('mail templates', () => {
  it('render an invitation in both parts, escaping what users typed', () => {
    const mail = workspaceInvitationMail({
      inviterName: 'Ada <script>',
      workspaceName: 'R&D "Core"',
      acceptUrl: 'https://console.example.com/invite?token=abc&x=1',
      expiresInHours: 72,
    });
    expect(mail.subject).toBe('Ada <script> invited you to R&D "Core" on Keel');
    expect(mail.text).toContain('https://console.example.com/invite?token=abc&x=1');
    expect(mail.text).toContain('72 hours');
    expect(mail.html).toContain('Ada &lt;script&gt;');
    expect(mail.html).toContain('R&amp;D &quot;Core&quot;');
    expect(mail.html).toContain('href="https://console.example.com/invite?token=abc&amp;x=1"');
    expect(mail.html).not.toContain('<script>');
  });

  it('render the password reset and sign-in codes', () => {
    const reset = passwordResetCodeMail({ code: '482913', expiresInMinutes: 5 });
    expect(reset.subject).toBe('Reset your Keel password');
    expect(reset.text).toContain('482913');
    expect(reset.html).toContain('482913');
    const login = emailLoginCodeMail({ code: '007007', expiresInMinutes: 10 });
    expect(login.subject).toBe('Your Keel sign-in code');
    expect(login.text).toMatch(/expires in 10 minutes/);
  });
});
