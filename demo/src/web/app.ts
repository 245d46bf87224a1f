/**
 * Acme Bank's page: plain DOM, @stepgate/sdk-core's fetch wrapper, and the widgets.
 * Views (hash routes): #account, #security, #roles, #risk, #audit.
 */
import { plain } from './api.js';
import { h } from './dom.js';
import { renderAccount } from './views/account.js';
import { renderAudit } from './views/audit.js';
import { renderRisk } from './views/risk.js';
import { renderRoles } from './views/roles.js';
import { renderSecurity } from './views/security.js';
import { renderSidebar } from './views/sidebar.js';
import { languageSwitch, setUpWidget } from './widget-setup.js';

/** The signed-in user and, for an admin, the bank's users. */
export interface Me {
  user: { id: string; name: string; email: string; role: string } | null;
  users: Array<{ id: string; name: string; role: string }>;
}

const VIEWS = {
  account: ['Account', renderAccount],
  security: ['Security', renderSecurity],
  roles: ['Roles', renderRoles],
  risk: ['Risk panel', renderRisk],
  audit: ['Audit', renderAudit],
} as const;
type ViewName = keyof typeof VIEWS;

const root = document.getElementById('app') as HTMLElement;

function loginView(): HTMLElement {
  const who = [
    ['alice', 'Alice Martin', 'admin · email code'],
    ['bob', 'Bob Durand', 'customer · email code'],
    ['carol', 'Carol Petit', 'teller · email code + authenticator app'],
  ] as const;
  return h(
    'section',
    { id: 'login', style: 'grid-column: 1 / -1' },
    h('h2', {}, 'Sign in to Acme Bank'),
    h('p', { className: 'muted' }, 'A demo: pick a customer. Stepgate starts after the sign-in.'),
    ...who.map(([id, name, note]) =>
      h(
        'button',
        {
          'data-user': id,
          onclick: async () => {
            await plain('/api/login', { userId: id });
            await render();
          },
        },
        `${name} (${note})`,
      ),
    ),
  );
}

/** The views this user may open: Roles only for admins (the server checks it again on every change). */
function viewsOf(me: Me): ViewName[] {
  const all = Object.keys(VIEWS) as ViewName[];
  return me.user?.role === 'admin' ? all : all.filter((v) => v !== 'roles');
}

async function render(): Promise<void> {
  const me = (await plain('/api/me')) as unknown as Me;
  const allowed = viewsOf(me);
  const current = (location.hash.slice(1) || 'account') as ViewName;
  const view = allowed.includes(current) ? current : 'account';
  const nav = h(
    'nav',
    {},
    ...(me.user
      ? allowed.map((k) =>
          h('a', { href: `#${k}`, 'aria-current': k === view ? 'page' : undefined }, VIEWS[k][0]),
        )
      : []),
  );
  const signOut = me.user
    ? h(
        'button',
        {
          className: 'secondary',
          onclick: async () => {
            await plain('/api/logout', {});
            await render();
          },
        },
        `Sign out ${me.user.name}`,
      )
    : null;
  const header = h('header', {}, h('h1', {}, 'Acme Bank'), nav, languageSwitch(), signOut);
  const main = h('main', {});
  root.replaceChildren(header, main);
  if (!me.user) {
    main.append(loginView());
    return;
  }
  const section = h('section', { id: `view-${view}` });
  // The audit table takes the whole width; every other view has the mailbox beside it.
  if (view === 'audit') section.style.gridColumn = '1 / -1';
  else main.append(renderSidebar(me));
  main.prepend(section);
  await VIEWS[view][1](section, me);
}

setUpWidget();
window.addEventListener('hashchange', () => void render());
void render();
