// An order's keys, shared by its sub-domains: the key of its stock reservation and redemptions (checkout reserves
// under it; cancels and returns release or restock under it) and the hash of its guest access token (checkout stores
// it; reads, cancels and returns compare with it).
import { createHash } from 'node:crypto';

export const reservationKey = (orderId: string) => `checkout:${orderId}`;
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
