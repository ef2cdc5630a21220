-- The account's language for the emails sent to it (en, de; null = the shop's default), from the Accept-Language of
-- its registration. Nullable with no default: adding it rewrites nothing and takes no long lock.
alter table identity.users add column locale text;
