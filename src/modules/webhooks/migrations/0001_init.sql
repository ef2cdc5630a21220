create schema if not exists webhooks;
