// The search module appends no events; it consumes catalog changes (see module.ts).
export const SEARCH_EVENTS = {} as const;
