-- A disabled account (staff disable it; re-enabling clears it): it cannot sign in, its sessions were revoked when it
-- was disabled and its refresh tokens no longer rotate; API keys it created keep their own lifecycle. Nullable with no
-- default: adding it rewrites nothing and takes no long lock.
alter table identity.users add column disabled_at timestamptz;
