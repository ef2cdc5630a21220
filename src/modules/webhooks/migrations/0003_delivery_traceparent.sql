-- The W3C traceparent of the event handling that created a delivery (tracing on, docs/tracing.md): each attempt's span
-- continues that trace. Nullable, no default: a catalog-only change, no rewrite; older rows have none.
alter table webhooks.deliveries add column traceparent text;
