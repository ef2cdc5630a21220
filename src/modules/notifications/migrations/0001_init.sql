create schema if not exists notifications;
