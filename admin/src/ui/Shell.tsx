// The signed-in layout: a skip link, the navigation the staff member's role allows, who is signed in, sign-out.
import { Link, Navigate, Outlet, useLocation, useNavigate } from '@tanstack/react-router';
import { useEffect, useRef } from 'react';
import { session } from '../auth/session.ts';
import { useStaff } from '../auth/use-session.ts';
import { visibleNav } from '../lib/permissions.ts';

export function Shell() {
  const user = useStaff();
  const navigate = useNavigate();
  const pathname = useLocation({ select: (l) => l.pathname });
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  // After a client-side navigation, focus moves to the new page's content (as a page load would start there).
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    if (pathname) main.current?.focus();
  }, [pathname]);
  if (!user) return <Navigate to="/sign-in" />;
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Emporium admin</span>
        <nav aria-label="Sections">
          <ul>
            {visibleNav(user.permissions).map((n) => (
              <li key={n.to}>
                <Link to={n.to} activeOptions={{ exact: n.to === '/' }} activeProps={{ 'aria-current': 'page' }}>
                  {n.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <span>
            {user.email} <span className="roles">({user.roles.join(', ')})</span>
          </span>
          <button
            type="button"
            onClick={async () => {
              await session.signOut();
              await navigate({ to: '/sign-in' });
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1} ref={main}>
        <Outlet />
      </main>
    </div>
  );
}
