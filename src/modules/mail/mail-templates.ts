import { escapeHtml, htmlFrame, type RenderedMail } from './mail-layout';

export interface WorkspaceInvitation {
  inviterName: string;
  workspaceName: string;
  acceptUrl: string;
  expiresInHours: number;
}

export function workspaceInvitationMail(p: WorkspaceInvitation): RenderedMail {
  const subject = `${p.inviterName} invited you to ${p.workspaceName} on Keel`;
  return {
    subject,
    text: [
      `${p.inviterName} invited you to join the workspace "${p.workspaceName}" on Keel.`,
      '',
      `Accept the invitation: ${p.acceptUrl}`,
      '',
      `The link expires in ${p.expiresInHours} hours.`,
    ].join('\n'),
    html: htmlFrame(
      subject,
      `<h1 style="font-size:20px">Join ${escapeHtml(p.workspaceName)}</h1>
<p>${escapeHtml(p.inviterName)} invited you to join the workspace <strong>${escapeHtml(p.workspaceName)}</strong> on Keel.</p>
<p><a href="${escapeHtml(p.acceptUrl)}" style="display:inline-block;padding:10px 18px;background:#1f6feb;color:#ffffff;text-decoration:none;border-radius:6px">Accept the invitation</a></p>
<p style="font-size:13px;color:#57606a">The link expires in ${p.expiresInHours} hours.</p>`,
    ),
  };
}

export interface VerificationCode {
  code: string;
  expiresInMinutes: number;
}

function codeMail(subject: string, purpose: string, p: VerificationCode): RenderedMail {
  return {
    subject,
    text: [`Your code ${purpose}: ${p.code}`, '', `It expires in ${p.expiresInMinutes} minutes. Never share it.`].join(
      '\n',
    ),
    html: htmlFrame(
      subject,
      `<h1 style="font-size:20px">${escapeHtml(subject)}</h1>
<p>Your code ${escapeHtml(purpose)}:</p>
<p style="font-size:28px;font-weight:600;letter-spacing:6px;font-family:ui-monospace,Menlo,monospace">${escapeHtml(p.code)}</p>
<p style="font-size:13px;color:#57606a">It expires in ${p.expiresInMinutes} minutes. Never share it.</p>`,
    ),
  };
}

export function passwordResetCodeMail(p: VerificationCode): RenderedMail {
  return codeMail('Reset your Keel password', 'to reset your password', p);
}

export function emailLoginCodeMail(p: VerificationCode): RenderedMail {
  return codeMail('Your Keel sign-in code', 'to sign in', p);
}
